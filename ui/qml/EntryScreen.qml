import QtQuick
import QtQuick.Layouts
import Kiosk 1.0

// A keypad screen: [Back] [what to enter / what was entered] [Continue], then the keys.
Item {
    id: entry
    property string prompt
    property string shown
    property var keys: []
    property int columns: 3

    ColumnLayout {
        anchors.fill: parent
        spacing: Theme.gap

        RowLayout {
            Layout.fillWidth: true
            Layout.fillHeight: false
            Layout.preferredHeight: Math.max(Theme.touch, display.implicitHeight)
            spacing: Theme.gap
            KButton {
                objectName: "backButton"
                Layout.fillHeight: true
                Layout.preferredWidth: Math.round(Theme.touch * 1.9)
                text: qsTr("Back")
                onClicked: Flow.back()
            }
            Rectangle {
                id: display
                Layout.fillWidth: true
                Layout.fillHeight: true
                implicitHeight: shownColumn.implicitHeight + 8
                color: Theme.panel
                radius: 8
                Column {
                    id: shownColumn
                    anchors.centerIn: parent
                    width: parent.width - 2 * Theme.pad
                    KText {
                        objectName: "entryPrompt"
                        width: parent.width
                        horizontalAlignment: Text.AlignHCenter
                        font.pixelSize: Theme.small
                        color: Theme.muted
                        text: entry.prompt
                    }
                    KText {
                        objectName: "entryDisplay"
                        width: parent.width
                        horizontalAlignment: Text.AlignHCenter
                        font.pixelSize: Theme.body
                        font.bold: true
                        font.letterSpacing: 2
                        text: entry.shown
                    }
                }
            }
            KButton {
                objectName: "continueButton"
                Layout.fillHeight: true
                Layout.preferredWidth: Math.round(Theme.touch * 2.2)
                primary: true
                enabled: Flow.canSubmit
                text: qsTr("Continue")
                onClicked: Flow.submit()
            }
        }

        GridLayout {
            objectName: "keypad"
            Layout.fillWidth: true
            Layout.fillHeight: true
            columns: entry.columns
            rowSpacing: Theme.gap
            columnSpacing: Theme.gap
            Repeater {
                model: entry.keys
                delegate: KButton {
                    required property string modelData
                    objectName: modelData === "" ? "key_none" : "key_" + modelData
                    visible: modelData !== ""
                    Layout.fillWidth: true
                    Layout.fillHeight: true
                    Layout.preferredWidth: 1
                    Layout.preferredHeight: 1
                    fontSize: Theme.title
                    text: modelData === "erase" ? "\u232B" : modelData
                    onClicked: modelData === "erase" ? Flow.erase() : Flow.press(modelData)
                }
            }
        }
    }
}
