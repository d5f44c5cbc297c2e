import QtQuick
import Kiosk 1.0

// Body text: wraps inside the width it is given, never elides.
Text {
    wrapMode: Text.WordWrap
    font.family: Theme.font
    font.pixelSize: Theme.body
    color: Theme.fg
    lineHeight: 1.05
}
