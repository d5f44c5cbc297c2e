import Kiosk 1.0

// More than one appointment matches the date of birth: the first letters of the last name.
EntryScreen {
    objectName: "screen_letters"
    prompt: qsTr("First 3 letters of your last name")
    shown: Flow.entry === "" ? "_ _ _" : Flow.entry
    columns: 9
    keys: "ABCDEFGHIJKLMNOPQRSTUVWXYZ".split("").concat(["erase"])
}
