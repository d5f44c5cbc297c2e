import QtQuick
import QtQuick.Layouts
import Kiosk 1.0

// A keypad screen: [Back] [what to enter / what was entered] [Continue], then the keys.
// On a short screen a number pad takes the full height and the rest stands beside it, so
// every key stays about 15 mm tall on a 7" display.
Item {
    id: entry
    property string prompt
    property string shown
    property var keys: []
    property int columns: 3
    readonly property int rows: Math.ceil(keys.length / columns)
    readonly property bool side: columns <= 3
        && height < rows * Theme.touch + (rows - 1) * Theme.gap + Theme.touch + Theme.gap

    GridLayout {
        anchors.fill: parent
        columns: entry.side ? 2 : 1
        rowSpacing: Theme.gap
        columnSpacing: Theme.gap

        GridLayout {
            Layout.row: 0
            Layout.column: entry.side ? 1 : 0
            Layout.fillWidth: !entry.side
            Layout.fillHeight: entry.side
            Layout.preferredWidth: entry.side ? Math.round(Theme.touch * 2.7) : -1
            Layout.preferredHeight: entry.side ? -1 : Math.max(Theme.touch, display.implicitHeight)
            columns: entry.side ? 1 : 3
            rowSpacing: Theme.gap
            columnSpacing: Theme.gap
            KButton {
                objectName: "backButton"
                Layout.fillHeight: true
                Layout.fillWidth: entry.side
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
                Layout.fillWidth: entry.side
                Layout.preferredWidth: Math.round(Theme.touch * 2.2)
                primary: true
                enabled: Flow.canSubmit
                text: qsTr("Continue")
                onClicked: Flow.submit()
            }
        }

        GridLayout {
            objectName: "keypad"
            Layout.row: entry.side ? 0 : 1
            Layout.column: 0
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
