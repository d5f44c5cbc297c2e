import QtQuick
import QtQuick.Layouts
import Kiosk 1.0

// Every way identification can end short of a check-in, each with the front desk path.
Item {
    id: screen
    objectName: "screen_message"
    readonly property string kind: Flow.message

    function headline() {
        switch (kind) {
        case "not_found": return qsTr("We could not find your appointment.")
        case "not_today": return qsTr("Your appointment is not today.")
        case "too_early": return qsTr("You are early!")
        case "too_late": return qsTr("Your appointment time has passed.")
        case "already_checked_in": return qsTr("You are already checked in.")
        case "ambiguous": return qsTr("We need a little help to find you.")
        case "declined": return qsTr("No problem.")
        default: return qsTr("Sorry, something went wrong.")
        }
    }
    function detail() {
        switch (kind) {
        case "not_found": return qsTr("Please check what you entered and try again, or see the front desk.")
        case "not_today": return qsTr("Please see the front desk if you think this is wrong.")
        case "too_early": return qsTr("Check-in opens at %1. Please come back then, or see the front desk.").arg(Flow.opensAt)
        case "too_late": return qsTr("Please see the front desk. They will help you.")
        case "already_checked_in": return qsTr("Please have a seat. If you have a question, see the front desk.")
        case "ambiguous": return qsTr("Please see the front desk.")
        case "declined": return qsTr("Please try again, or see the front desk.")
        default: return qsTr("You are not checked in yet. Please see the front desk.")
        }
    }

    implicitHeight: column.implicitHeight  // more than fits: the window scrolls

    ColumnLayout {
        id: column
        anchors.fill: parent
        spacing: Theme.gap
        KText {
            objectName: "messageHeadline"
            Layout.fillWidth: true
            font.pixelSize: Theme.title
            font.bold: true
            color: Theme.accent
            text: screen.headline()
        }
        KText {
            objectName: "messageDetail"
            Layout.fillWidth: true
            text: screen.detail()
        }
        Item { Layout.fillHeight: true }
        RowLayout {
            Layout.fillWidth: true
            spacing: Theme.gap
            KButton {
                objectName: "startOverButton"
                Layout.fillWidth: true
                Layout.preferredWidth: 1
                text: qsTr("Start over")
                onClicked: Flow.back()
            }
            KButton {
                objectName: "doneButton"
                Layout.fillWidth: true
                Layout.preferredWidth: 1
                primary: true
                text: qsTr("Done")
                onClicked: Flow.finish()
            }
        }
    }
}
