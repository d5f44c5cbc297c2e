import QtQuick
import Kiosk 1.0

KText {
    objectName: "ticketNote"
    visible: Flow.ticket !== ""
    font.pixelSize: Theme.small
    color: Flow.ticket === "failed" ? Theme.warn : Theme.muted
    text: Flow.ticket === "printing" ? qsTr("Printing your ticket...")
        : Flow.ticket === "printed" ? qsTr("Please take your ticket.")
        : qsTr("Your ticket could not be printed. You are still checked in.")
}
