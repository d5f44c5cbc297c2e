import QtQuick
import QtQuick.Layouts
import Kiosk 1.0

// Step one of signing in (or of a supervisor's approval): pick your name, then your PIN.
// A badge on the reader signs in from here too.
Item {
    id: screen
    objectName: approving ? "screen_admin_approver" : "screen_admin_who"
    readonly property bool approving: Admin.page === "approver"

    AdminWords { id: words }

    ColumnLayout {
        anchors.fill: parent
        spacing: Theme.gap

        RowLayout {
            Layout.fillWidth: true
            Layout.fillHeight: false
            Layout.preferredHeight: Theme.touch
            spacing: Theme.gap
            KButton {
                objectName: "whoCancelButton"
                Layout.fillHeight: true
                Layout.preferredWidth: Math.round(Theme.touch * 1.9)
                text: screen.approving ? qsTr("Back") : qsTr("Cancel")
                onClicked: screen.approving ? Admin.back() : Admin.close()
            }
            KText {
                objectName: "whoPrompt"
                Layout.fillWidth: true
                horizontalAlignment: Text.AlignHCenter
                font.pixelSize: Theme.small
                color: Admin.error !== "" ? Theme.bad : Theme.muted
                text: Admin.error === "wrong_badge" ? qsTr("That badge is not known here.")
                      : screen.approving ? qsTr("Supervisor: tap your name to approve")
                      : qsTr("Staff: tap your name, or tap your badge")
            }
        }

        GridView {
            id: grid
            objectName: "whoList"
            Layout.fillWidth: true
            Layout.fillHeight: true
            clip: true
            boundsBehavior: Flickable.StopAtBounds
            readonly property int columns: Math.max(2, Math.floor(width / (Theme.touch * 3.2)))
            cellWidth: Math.floor(width / columns)
            cellHeight: Theme.touch + Theme.gap
            model: Admin.members
            delegate: Item {
                required property var modelData
                width: grid.cellWidth
                height: grid.cellHeight
                KButton {
                    objectName: "who_" + modelData.memberId
                    anchors.fill: parent
                    anchors.rightMargin: Theme.gap
                    anchors.bottomMargin: Theme.gap
                    fontSize: Theme.small
                    text: modelData.memberId + "\n" + words.role(modelData.role)
                    onClicked: Admin.pick(modelData.memberId)
                }
            }
        }
    }
}
