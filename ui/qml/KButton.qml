import QtQuick
import Kiosk 1.0

// A touch button: at least 15 mm each way, text that fits (shrinks, then wraps to 2 lines).
Rectangle {
    id: button
    property alias text: label.text
    property bool primary: false
    property int fontSize: Theme.button
    signal clicked()

    implicitWidth: Math.max(Theme.touch, label.implicitWidth + 2 * Theme.pad)
    implicitHeight: Theme.touch
    radius: 10
    color: !enabled ? Theme.panel : mouse.pressed ? Theme.pressed : primary ? Theme.accent : Theme.panel
    border.width: 3
    border.color: !enabled ? Theme.disabled : primary ? Theme.accent : Theme.fg

    Text {
        id: label
        anchors.fill: parent
        anchors.margins: 6
        horizontalAlignment: Text.AlignHCenter
        verticalAlignment: Text.AlignVCenter
        wrapMode: Text.WordWrap
        maximumLineCount: 2
        fontSizeMode: Text.Fit
        minimumPixelSize: Theme.minimumFont
        font.family: Theme.font
        font.pixelSize: button.fontSize
        font.bold: true
        color: !button.enabled ? Theme.disabled : (button.primary && !mouse.pressed) ? Theme.accentText : Theme.fg
    }

    MouseArea {
        id: mouse
        anchors.fill: parent
        onClicked: button.clicked()
    }
}
