/// How a diagnostic names a character the lexer cannot read: printable characters are quoted,
/// and every character is also named by its code points, so that an invisible one (a zero-width
/// space, a right-to-left mark, a byte-order mark, a control character) is not reported as `''`.
enum CharacterDescription {
    /// `'é' (U+00E9)`, `U+200B (zero-width space)`, `U+0007`.
    static func describe(_ ch: Character) -> String {
        let codes = ch.unicodeScalars.map { "U+" + hex($0.value) }.joined(separator: " ")
        if let name = ch.unicodeScalars.count == 1 ? invisibleNames[ch.unicodeScalars.first!.value] : nil {
            return "\(codes) (\(name))"
        }
        if isInvisible(ch) { return codes }
        return "'\(ch)' (\(codes))"
    }

    /// Characters people paste by accident, named so the message says what to delete.
    static let invisibleNames: [UInt32: String] = [
        0x00A0: "no-break space", 0x00AD: "soft hyphen", 0x200B: "zero-width space",
        0x200C: "zero-width non-joiner", 0x200D: "zero-width joiner", 0x200E: "left-to-right mark",
        0x200F: "right-to-left mark", 0x202A: "left-to-right embedding", 0x202B: "right-to-left embedding",
        0x202C: "pop directional formatting", 0x202D: "left-to-right override", 0x202E: "right-to-left override",
        0x2060: "word joiner", 0x2066: "left-to-right isolate", 0x2067: "right-to-left isolate",
        0x2068: "first strong isolate", 0x2069: "pop directional isolate", 0xFEFF: "byte-order mark",
        0x2028: "line separator", 0x2029: "paragraph separator", 0x3000: "ideographic space",
    ]

    /// Whether the character shows nothing on screen: controls, format characters, separators.
    static func isInvisible(_ ch: Character) -> Bool {
        ch.unicodeScalars.allSatisfy { s in
            switch s.properties.generalCategory {
            case .control, .format, .spaceSeparator, .lineSeparator, .paragraphSeparator,
                 .unassigned, .privateUse, .surrogate, .nonspacingMark, .enclosingMark:
                return true
            default:
                return false
            }
        }
    }

    private static func hex(_ v: UInt32) -> String {
        let digits = String(v, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}
