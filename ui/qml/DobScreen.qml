import Kiosk 1.0

// Date of birth on a number pad, shown as MM/DD/YYYY while it is typed.
EntryScreen {
    objectName: "screen_dob"
    prompt: qsTr("Your date of birth")
    shown: fill(qsTr("MM/DD/YYYY"), Flow.entry)
    columns: 3
    keys: ["1", "2", "3", "4", "5", "6", "7", "8", "9", "erase", "0", ""]

    function fill(mask, digits) {
        var out = "", next = 0
        for (var i = 0; i < mask.length; i++) {
            var c = mask[i]
            if (c === "/" || c === " " || c === "-" || c === ".") out += c
            else out += next < digits.length ? digits[next++] : c
        }
        return out
    }
}
