import QtQuick
import QtQuick.Layouts
import Kiosk 1.0

// A keypad screen: [Back] [what to enter / what was entered] [Continue], then the keys.
// On a short screen a number pad takes the full height and the rest stands beside it, and
// a wide pad (the code's 33 keys) takes Back and Continue into its last row under a
// one-line display, so every key stays at least 15 mm tall on a 7" display.
Item {
    id: entry
    property string prompt
    property string shown
    property var keys: []
    property int columns: 3
    readonly property int rows: Math.ceil(keys.length / columns)
    // What the top row needs when the prompt wraps (estimated: the display's own height
    // changes with the layout chosen from it).
    readonly property real topRow: Math.max(Theme.touch, 1.2 * (2 * Theme.small + Theme.body) + 8)
    readonly property bool short_: height < rows * Theme.touch + (rows - 1) * Theme.gap + topRow + Theme.gap
    readonly property bool side: columns <= 3 && short_
    // Continue, three keys wide, fits in the pad's free slots (Back is in the top bar): the
    // top row is one line, and the pad reaches to the screen's edges (nine 15 mm keys).
    readonly property bool inPad: columns > 3 && short_
    readonly property bool wide: columns > 3 && Theme.compact  // nine keys across 153 mm
    readonly property var padKeys: inPad ? keys.concat(["continue"]) : keys

    GridLayout {
        anchors.fill: parent
        anchors.leftMargin: entry.wide ? -Theme.edge : 0
        anchors.rightMargin: entry.wide ? -Theme.edge : 0
        // The one-line display is no target: it may stand in the gap under the top bar.
        anchors.topMargin: entry.inPad ? 2 - Theme.gap : 0
        columns: entry.side ? 2 : 1
        rowSpacing: entry.inPad ? 2 : Theme.gap  // the one-line display is no target
        columnSpacing: Theme.gap

        GridLayout {
            Layout.row: 0
            Layout.column: entry.side ? 1 : 0
            Layout.fillWidth: !entry.side
            Layout.fillHeight: entry.side
            Layout.preferredWidth: entry.side ? Math.round(Theme.touch * (Flow.largeText ? 3.8 : 2.7)) : -1
            Layout.preferredHeight: entry.side ? -1
                : entry.inPad ? display.implicitHeight : Math.max(Theme.touch, display.implicitHeight)
            columns: entry.side ? 1 : 3
            rowSpacing: Theme.gap
            columnSpacing: Theme.gap
            KButton {
                objectName: entry.inPad ? "" : "backButton"
                visible: !entry.inPad
                Layout.fillHeight: true
                Layout.fillWidth: entry.side
                Layout.preferredWidth: Math.max(Math.round(Theme.touch * 1.9), implicitWidth)
                text: qsTr("Back")
                onClicked: Flow.back()
            }
            Rectangle {
                id: display
                Layout.fillWidth: true
                Layout.fillHeight: true
                implicitHeight: shownColumn.implicitHeight + (entry.inPad ? 0 : 8)
                color: Theme.panel
                radius: 8
                Grid {
                    id: shownColumn
                    anchors.centerIn: parent
                    width: entry.inPad ? implicitWidth : parent.width - 2 * Theme.pad
                    columns: entry.inPad ? 2 : 1  // one line where the keys need the height
                    columnSpacing: Theme.pad * 2
                    verticalItemAlignment: Grid.AlignVCenter
                    KText {
                        objectName: "entryPrompt"
                        width: entry.inPad ? implicitWidth : parent.width
                        horizontalAlignment: Text.AlignHCenter
                        font.pixelSize: Theme.small
                        color: Theme.muted
                        text: entry.prompt
                    }
                    KText {
                        objectName: "entryDisplay"
                        width: entry.inPad ? implicitWidth : parent.width
                        horizontalAlignment: Text.AlignHCenter
                        font.pixelSize: Theme.body
                        font.bold: true
                        font.letterSpacing: 2
                        lineHeight: entry.inPad ? 0.95 : 1.05
                        text: entry.shown
                    }
                }
            }
            KButton {
                objectName: entry.inPad ? "" : "continueButton"
                visible: !entry.inPad
                Layout.fillHeight: true
                Layout.fillWidth: entry.side
                Layout.preferredWidth: Math.max(Math.round(Theme.touch * 2.2), implicitWidth)
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
                model: entry.padKeys
                delegate: KButton {
                    required property string modelData
                    readonly property bool word: modelData === "back" || modelData === "continue"
                    objectName: modelData === "" ? "key_none" : modelData === "back" ? "backButton"
                        : modelData === "continue" ? "continueButton" : "key_" + modelData
                    visible: modelData !== ""
                    Layout.fillWidth: true
                    Layout.fillHeight: true
                    Layout.columnSpan: modelData === "continue" ? 3 : 1
                    Layout.preferredWidth: modelData === "continue" ? 3 : 1
                    Layout.preferredHeight: 1
                    fontSize: word ? Theme.button : Theme.title
                    primary: modelData === "continue"
                    enabled: modelData !== "continue" || Flow.canSubmit
                    text: modelData === "erase" ? "\u232B" : modelData === "back" ? qsTr("Back")
                        : modelData === "continue" ? qsTr("Continue") : modelData
                    onClicked: {
                        if (modelData === "erase") Flow.erase()
                        else if (modelData === "back") Flow.back()
                        else if (modelData === "continue") Flow.submit()
                        else Flow.press(modelData)
                    }
                }
            }
        }
    }
}
