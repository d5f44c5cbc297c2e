pragma Singleton
import QtQuick
import Kiosk 1.0

// Sizes, type and colours. High contrast (every text colour >= 7:1 on its background,
// tests/ui/test_contrast.py: white and yellow on black), touch targets of
// at least 15 mm, and a large-text switch that scales every font by 1.25.
QtObject {
    property real width: 800
    property real height: 480

    readonly property real mm: Flow.pxPerMm > 0 ? Flow.pxPerMm : (width < 1000 ? width / 154 : width / 217)
    readonly property int touch: Math.round(15 * mm)
    readonly property bool compact: height < 600
    readonly property int pad: compact ? 8 : 14
    readonly property int gap: compact ? 6 : 10
    readonly property real textScale: Flow.largeText ? 1.25 : 1.0

    readonly property int small: Math.round((compact ? 18 : 24) * textScale)
    readonly property int body: Math.round((compact ? 22 : 30) * textScale)
    readonly property int button: Math.round((compact ? 24 : 32) * textScale)
    readonly property int title: Math.round((compact ? 30 : 44) * textScale)
    readonly property int huge: Math.round((compact ? 44 : 64) * textScale)
    readonly property int minimumFont: compact ? 14 : 18

    readonly property string font: "DejaVu Sans"
    readonly property color bg: "#000000"
    readonly property color fg: "#FFFFFF"
    readonly property color muted: "#D0D0D0"
    readonly property color accent: "#FFD400"
    readonly property color accentText: "#000000"
    readonly property color panel: "#1C1C1C"
    readonly property color pressed: "#3A3A3A"
    readonly property color disabled: "#5A5A5A"
    readonly property color good: "#5BE37D"
    readonly property color warn: "#FFB020"
    readonly property color bad: "#FF8C8C"
}
