import QtQuick
import QtQuick.Layouts
import Kiosk 1.0

// The PIN of the member picked on the step before (or a badge on the reader), or the
// picked supervisor's PIN approving a change.
Item {
    id: screen
    objectName: Admin.page === "approve" ? "screen_admin_approve" : "screen_admin_pin"
    readonly property bool approving: Admin.page === "approve"

    function prompt() {
        if (Admin.error === "wrong_pin") return qsTr("Wrong PIN. Try again.")
        if (Admin.error === "wrong_badge") return qsTr("That badge is not known here.")
        if (Admin.error === "not_supervisor") return qsTr("That is not a supervisor's PIN.")
        return approving ? qsTr("%1: enter your PIN to approve").arg(Admin.picked)
                         : qsTr("%1: enter your PIN").arg(Admin.picked)
    }

    ColumnLayout {
        anchors.fill: parent
        spacing: Theme.gap

        RowLayout {
            Layout.fillWidth: true
            Layout.fillHeight: false
            Layout.preferredHeight: Math.max(Theme.touch, display.implicitHeight)
            spacing: Theme.gap
            KButton {
                objectName: "pinCancelButton"
                Layout.fillHeight: true
                Layout.preferredWidth: Math.round(Theme.touch * 1.9)
                text: qsTr("Back")
                onClicked: Admin.back()
            }
            Rectangle {
                id: display
                Layout.fillWidth: true
                Layout.fillHeight: true
                implicitHeight: shown.implicitHeight + 8
                color: Theme.panel
                radius: 8
                Column {
                    id: shown
                    anchors.centerIn: parent
                    width: parent.width - 2 * Theme.pad
                    KText {
                        objectName: "pinPrompt"
                        width: parent.width
                        horizontalAlignment: Text.AlignHCenter
                        font.pixelSize: Theme.small
                        color: Admin.error !== "" ? Theme.bad : Theme.muted
                        text: screen.prompt()
                    }
                    KText {
                        objectName: "pinDots"
                        width: parent.width
                        horizontalAlignment: Text.AlignHCenter
                        font.pixelSize: Theme.body
                        font.bold: true
                        font.letterSpacing: 4
                        text: "\u25CF".repeat(Admin.pinLength)
                    }
                }
            }
            KButton {
                objectName: "pinEnterButton"
                Layout.fillHeight: true
                Layout.preferredWidth: Math.round(Theme.touch * 2.2)
                primary: true
                enabled: Admin.pinLength > 0 && !Admin.checking
                text: Admin.checking ? qsTr("Checking…") : screen.approving ? qsTr("Approve") : qsTr("Sign in")
                onClicked: Admin.submitPin()
            }
        }

        GridLayout {
            objectName: "pinPad"
            enabled: !Admin.checking
            Layout.fillWidth: true
            Layout.fillHeight: true
            columns: 6
            rowSpacing: Theme.gap
            columnSpacing: Theme.gap
            Repeater {
                model: ["1", "2", "3", "4", "5", "6", "7", "8", "9", "0", "erase"]
                delegate: KButton {
                    required property string modelData
                    objectName: "pin_" + modelData
                    Layout.fillWidth: true
                    Layout.fillHeight: true
                    Layout.preferredWidth: 1
                    Layout.preferredHeight: 1
                    fontSize: Theme.title
                    text: modelData === "erase" ? "\u232B" : modelData
                    onClicked: modelData === "erase" ? Admin.erase() : Admin.press(modelData)
                }
            }
        }
    }
}
