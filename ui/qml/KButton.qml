import QtQuick
import QtQuick.Layouts
import Kiosk 1.0

// A touch button: at least 15 mm each way, its words on up to 2 lines. Disabled, it loses
// its fill (and a primary its yellow) but keeps an edge at 3:1 and its words at 7:1.
Rectangle {
    id: button
    property alias text: label.text
    property bool primary: false
    property int fontSize: Theme.button
    // The I/O board's keypad reaches every KButton (Main.qml): the focused one wears a thick ring.
    readonly property bool keypadChoice: true
    property bool keypadFocused: false
    signal clicked()

    implicitWidth: Math.max(Theme.touch, label.implicitWidth + 2 * Theme.pad)
    // Two lines of large text need more than 15 mm: the button grows, never the reverse.
    implicitHeight: Math.max(Theme.touch, Math.ceil(label.contentHeight) + 2 * label.anchors.margins)
    // In a layout too: never under 15 mm, nor under its words (the screen scrolls instead).
    Layout.minimumWidth: Theme.touch
    Layout.minimumHeight: implicitHeight
    radius: 10
    color: !enabled ? Theme.bg : mouse.pressed ? Theme.pressed : primary ? Theme.accent : Theme.panel
    border.width: keypadFocused ? Math.max(6, Math.round(Theme.mm)) : 3
    border.color: keypadFocused ? Theme.fg : !enabled ? Theme.disabled : primary ? Theme.accent : Theme.fg

    // The keypad's focus ring: outside the edge (within the 2 mm gap to the next target), in
    // the accent colour, so it reads on a white-edged and on a yellow button alike.
    Rectangle {
        objectName: "keypadRing"
        visible: button.keypadFocused
        anchors.fill: parent
        anchors.margins: -Math.round(Theme.mm * 0.9)
        radius: button.radius + Math.round(Theme.mm * 0.9)
        color: "transparent"
        border.width: Math.max(3, Math.round(Theme.mm * 0.6))
        border.color: Theme.accent
    }

    Text {
        id: label
        anchors.fill: parent
        anchors.margins: 5
        lineHeight: 0.9  // two lines of body text fit a 15 mm button
        horizontalAlignment: Text.AlignHCenter
        verticalAlignment: Text.AlignVCenter
        wrapMode: Text.WordWrap
        maximumLineCount: 2
        font.family: Theme.font
        font.pixelSize: button.fontSize
        font.bold: true
        color: !button.enabled ? Theme.disabledText : (button.primary && !mouse.pressed) ? Theme.accentText : Theme.fg
    }

    MouseArea {
        id: mouse
        anchors.fill: parent
        onClicked: button.clicked()
    }
}
