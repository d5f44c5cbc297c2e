import Kiosk 1.0

// The confirmation code from the reminder (letters without I and O, digits 2 to 9).
EntryScreen {
    objectName: "screen_code"
    prompt: qsTr("Your confirmation code")
    shown: Flow.entry === "" ? "_ _ _ _ _ _" : Flow.entry
    columns: 9
    keys: Flow.codeKeys.split("").concat(["erase"])
}
