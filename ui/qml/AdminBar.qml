import QtQuick
import QtQuick.Layouts
import Kiosk 1.0

// Who is signed in, the pages their role may open, and Sign out.
Rectangle {
    implicitHeight: Math.max(Theme.touch, row.implicitHeight) + 2 * Theme.pad
    color: Theme.panel

    AdminWords { id: words }

    RowLayout {
        id: row
        anchors.fill: parent
        anchors.margins: Theme.pad
        spacing: Theme.gap

        Text {
            objectName: "adminWho"
            Layout.fillWidth: true
            Layout.fillHeight: true
            text: Admin.memberId + "\n" + words.role(Admin.role)
            color: Theme.muted
            font.family: Theme.font
            font.pixelSize: Theme.small
            font.bold: true
            verticalAlignment: Text.AlignVCenter
            wrapMode: Text.WordWrap
            lineHeight: 0.9
            maximumLineCount: 3
            fontSizeMode: Text.Fit
            minimumPixelSize: Theme.minimumFont
        }
        Repeater {
            model: Admin.tabs
            delegate: KButton {
                required property string modelData
                objectName: "tab_" + modelData
                Layout.preferredWidth: Math.max(Math.round(Theme.touch * 1.5), implicitWidth)
                Layout.fillHeight: true
                fontSize: Theme.small
                primary: Admin.page === modelData
                         || (modelData === "providers" && ["action", "confirm", "approver", "approve"].indexOf(Admin.page) >= 0)
                text: words.tab(modelData)
                onClicked: Admin.show(modelData)
            }
        }
        KButton {
            objectName: "signOutButton"
            Layout.preferredWidth: Math.round(Theme.touch * 1.5)
            Layout.fillHeight: true
            fontSize: Theme.small
            text: qsTr("Sign out")
            onClicked: Admin.close()
        }
    }
}
