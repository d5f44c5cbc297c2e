import QtQuick
import QtQuick.Shapes
import Kiosk 1.0

// The receptionist's face, in vector shapes: eyes that open when someone comes, look up
// while thinking, a mouth that moves with the audio being spoken, and a meter of the
// microphone while listening. With reduce motion, states change without animation.
Item {
    id: face
    objectName: "face"
    readonly property string faceState: Face.state
    property real size: 160
    implicitWidth: size
    implicitHeight: size

    readonly property int ms: Face.reduceMotion ? 0 : 260
    readonly property real eyeOpen: faceState === "idle" ? 0.55 : faceState === "thinking" ? 0.7 : 1.0
    readonly property real lookX: faceState === "thinking" ? 0.22 : 0
    readonly property real lookY: faceState === "thinking" ? -0.22 : 0.05
    readonly property real smile: faceState === "idle" ? 0.1 : faceState === "thinking" ? 0.0
                                  : faceState === "listening" ? 0.08 : 0.16
    readonly property real mouthOpen: faceState === "speaking" ? Math.max(0.08, Face.mouthOpen) : 0

    Rectangle {
        id: head
        anchors.fill: parent
        radius: width / 2
        color: Theme.panel
        border.width: Math.max(3, face.size / 40)
        border.color: Theme.accent
    }

    Repeater {
        model: [-1, 1]
        delegate: Item {
            id: eye
            required property int modelData
            readonly property real w: face.size * 0.2
            property real open: face.eyeOpen
            property real blink: 1
            Behavior on open { NumberAnimation { duration: face.ms } }
            x: face.size / 2 + modelData * face.size * 0.19 - w / 2
            y: face.size * 0.38 - w / 2
            width: w
            height: w
            Rectangle {
                objectName: "eye"
                anchors.centerIn: parent
                width: eye.w
                height: Math.max(face.size / 40, eye.w * eye.open * eye.blink)
                radius: Math.min(width, height) / 2
                color: Theme.fg
                clip: true
                Rectangle {
                    objectName: "pupil"
                    width: eye.w * 0.45
                    height: width
                    radius: width / 2
                    color: Theme.bg
                    x: (parent.width - width) / 2 + face.lookX * eye.w
                    y: (parent.height - height) / 2 + face.lookY * eye.w
                    Behavior on x { NumberAnimation { duration: face.ms } }
                    Behavior on y { NumberAnimation { duration: face.ms } }
                }
            }
            SequentialAnimation on blink {
                running: !Face.reduceMotion && face.faceState !== "idle"
                loops: Animation.Infinite
                PauseAnimation { duration: 3200 + 700 * eye.modelData }
                NumberAnimation { to: 0.1; duration: 90 }
                NumberAnimation { to: 1; duration: 120 }
            }
        }
    }

    // The mouth: an upper lip curve and a lower one that drops with the audio level.
    Shape {
        id: mouth
        objectName: "mouth"
        readonly property real x0: face.size * 0.32
        readonly property real x1: face.size * 0.68
        readonly property real y0: face.size * 0.66
        property real curve: face.smile * face.size
        property real drop: face.mouthOpen * face.size * 0.16
        Behavior on curve { NumberAnimation { duration: face.ms } }
        anchors.fill: parent
        preferredRendererType: Shape.CurveRenderer
        ShapePath {
            strokeColor: Theme.accent
            strokeWidth: Math.max(3, face.size / 32)
            fillColor: mouth.drop > 1 ? Theme.bg : "transparent"
            capStyle: ShapePath.RoundCap
            joinStyle: ShapePath.RoundJoin
            startX: mouth.x0
            startY: mouth.y0
            PathQuad { x: mouth.x1; y: mouth.y0; controlX: face.size / 2; controlY: mouth.y0 + mouth.curve }
            PathQuad {
                x: mouth.x0; y: mouth.y0
                controlX: face.size / 2; controlY: mouth.y0 + mouth.curve + 2 * mouth.drop
            }
        }
    }

    // Thinking: three dots above, one after another (still dots with reduce motion).
    Row {
        objectName: "thinkingDots"
        visible: face.faceState === "thinking"
        anchors.horizontalCenter: parent.horizontalCenter
        y: face.size * 0.1
        spacing: face.size / 24
        Repeater {
            model: 3
            delegate: Rectangle {
                required property int index
                width: face.size / 14
                height: width
                radius: width / 2
                color: Theme.accent
                SequentialAnimation on opacity {
                    running: !Face.reduceMotion && face.faceState === "thinking"
                    loops: Animation.Infinite
                    PauseAnimation { duration: 200 * index }
                    NumberAnimation { from: 1; to: 0.3; duration: 300 }
                    NumberAnimation { to: 1; duration: 300 }
                    PauseAnimation { duration: 400 - 200 * index }
                }
            }
        }
    }

    // Listening: the microphone's live level, five rising bars under the chin (large
    // enough to read on the top bar's small face too).
    Row {
        objectName: "micMeter"
        visible: face.faceState === "listening"
        anchors.horizontalCenter: parent.horizontalCenter
        y: face.size * 0.76
        height: face.size * 0.14
        spacing: face.size / 36
        Repeater {
            model: 5
            delegate: Rectangle {
                required property int index
                readonly property real lit: Math.min(1, Math.max(0, Face.micLevel * 5 - index))
                anchors.bottom: parent.bottom
                width: Math.max(3, face.size / 13)
                height: Math.max(width, parent.height * (0.4 + 0.15 * index))
                radius: width / 3
                color: lit > 0.5 ? Theme.good : Theme.disabled
            }
        }
    }
}
