import QtQuick
import Kiosk 1.0

// Shown wherever timing matters when the schedule may be out of date.
KText {
    objectName: "staleNote"
    visible: Flow.stale
    color: Theme.warn
    font.pixelSize: Theme.small
    text: qsTr("Schedule last updated %1 minutes ago. Please ask the front desk about timing.").arg(Flow.ageMin)
}
