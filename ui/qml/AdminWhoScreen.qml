import QtQuick
import QtQuick.Layouts
import Kiosk 1.0

// Step one of signing in (or of a supervisor's approval): pick your name, then your PIN.
// A badge on the reader signs in from here too. A long staff list is shown a page of whole
// buttons at a time, turned with the arrows (no half-hidden name to miss).
Item {
    id: screen
    objectName: approving ? "screen_admin_approver" : "screen_admin_who"
    readonly property bool approving: Admin.page === "approver"
    property int pageIndex: 0
    onApprovingChanged: pageIndex = 0

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
                Layout.minimumWidth: implicitWidth
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
            KButton {
                objectName: "whoPrevButton"
                visible: grid.pages > 1
                Layout.fillHeight: true
                Layout.preferredWidth: Theme.touch
                enabled: grid.shown > 0
                text: "\u25C0"
                onClicked: { Admin.touch(); screen.pageIndex = grid.shown - 1 }
            }
            KText {
                objectName: "whoPage"
                visible: grid.pages > 1
                font.pixelSize: Theme.small
                color: Theme.muted
                text: (grid.shown + 1) + " / " + grid.pages
            }
            KButton {
                objectName: "whoNextButton"
                visible: grid.pages > 1
                Layout.fillHeight: true
                Layout.preferredWidth: Theme.touch
                enabled: grid.shown < grid.pages - 1
                text: "\u25B6"
                onClicked: { Admin.touch(); screen.pageIndex = grid.shown + 1 }
            }
        }

        GridView {
            id: grid
            objectName: "whoList"
            Layout.fillWidth: true
            Layout.fillHeight: true
            interactive: false
            readonly property int columns: Math.max(2, Math.floor(width / (Theme.touch * 3.2)))
            readonly property int rows: Math.max(1, Math.floor(height / (Theme.touch + Theme.gap)))
            readonly property int perPage: columns * rows
            readonly property int pages: Math.max(1, Math.ceil(Admin.members.length / perPage))
            readonly property int shown: Math.min(screen.pageIndex, pages - 1)
            cellWidth: Math.floor(width / columns)
            cellHeight: Math.floor(height / rows)
            model: Admin.members.slice(shown * perPage, (shown + 1) * perPage)
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
