pragma Singleton
import QtQuick
import Kiosk 1.0

// Sizes, type and colours, in millimetres on the panel (Flow.pxPerMm: ui/panel.py reads
// the panel's size from the config, its EDID or the display server). Every text at 7:1 or
// more on what it is drawn on, enabled or not (tests/ui/test_contrast.py, the audit:
// devtools/a11y_audit.py); body text with a 3 mm x-height, small text 2.5 mm, capitals
// 4.8 mm at the large text size (Section 508 402.4); touch targets 15 mm each way, 2 mm
// apart (the gap between any two targets, keypads included).
QtObject {
    property real width: 800
    property real height: 480

    // Pixels per mm. Without a panel size (tests, a development window): the reference
    // panel of that resolution, as ui/panel.py's REFERENCE (133 ppi 7", 149 ppi 10").
    readonly property real mm: Flow.pxPerMm > 0 ? Flow.pxPerMm : (width < 1000 ? 133 : 149) / 25.4
    // Whole pixels: layouts place items on whole pixels, and a 14.9 mm key is not 15.
    readonly property int touch: Math.ceil(15.02 * mm)
    readonly property int gap: Math.ceil(2.01 * mm)
    readonly property bool compact: height < 600
    readonly property int pad: compact ? 6 : 14
    // The screen's margin: thin on a 7" panel, where nine 15 mm keys and eight 2 mm gaps
    // take 151 of its 153 mm.
    readonly property int edge: compact ? 3 : 14
    readonly property real textScale: Flow.largeText ? 1.25 : 1.0

    // The font's own proportions, so sizes follow the font rather than a guess.
    readonly property string font: "DejaVu Sans"
    readonly property FontMetrics metrics: FontMetrics { font.family: "DejaVu Sans"; font.pixelSize: 200 }
    readonly property real xRatio: metrics.xHeight / 200
    readonly property real capRatio: metrics.tightBoundingRect("I").height / 200

    function sized(xHeightMm, scale) {
        var px = Math.ceil(xHeightMm / xRatio * mm * scale)
        // At the large text size every text has capitals of at least 4.8 mm.
        return Flow.largeText ? Math.max(px, Math.ceil(4.85 / capRatio * mm)) : px
    }
    readonly property int small: sized(2.55, textScale)
    readonly property int body: sized(3.05, textScale)
    readonly property int button: body
    readonly property int title: Math.round(body * 1.3)
    readonly property int huge: Math.round(body * 2)
    // Text that fits by shrinking never goes under the small size.
    readonly property int minimumFont: small

    readonly property color bg: "#000000"
    readonly property color fg: "#FFFFFF"
    readonly property color muted: "#D0D0D0"
    readonly property color accent: "#FFD400"
    readonly property color accentText: "#000000"
    readonly property color panel: "#1C1C1C"
    readonly property color pressed: "#3A3A3A"
    // A disabled button: no fill, a grey edge (6:1 on black), its words still at 7:1.
    readonly property color disabled: "#8C8C8C"
    readonly property color disabledText: "#D0D0D0"
    readonly property color good: "#5BE37D"
    readonly property color warn: "#FFB020"
    readonly property color bad: "#FF8C8C"
}
