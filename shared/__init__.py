"""What several parts of the project use: the local stand-in for the LivePerson side
(`shared.liveperson`), its validation core (`shared.validation`), the Messaging SDK core
(`shared.messaging_sdk`) and the conformance checker (`shared.checker`)."""
