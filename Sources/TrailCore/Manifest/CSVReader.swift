/// Reads CSV (RFC 4180) with a header row; every value is a string.
///
/// Where RFC 4180 is strict, Trail reads what Python's `csv` module reads: a lone CR ends a line
/// like LF and CRLF, and a quote inside an unquoted value (`a"b`) is an ordinary character.
/// Text after a closing quote (`"a"b`) is refused rather than guessed at.
enum CSVReader {
    /// Parses all rows; each row becomes an object keyed by the header's column names.
    static func rows(_ bytes: UnsafeRawBufferPointer, file: String) throws -> (columns: [String], rows: [ManifestRow]) {
        if let bad = UTF8Validation.firstInvalidByte(bytes) {
            // Line ends as the parser counts them: LF, CRLF and lone CR.
            var line = 1
            for k in 0..<bad where bytes[k] == 0x0a || (bytes[k] == 0x0d && bytes[k + 1] != 0x0a) { line += 1 }
            throw InputError(file: file, line: line, message: "invalid UTF-8 byte sequence",
                             hint: "save the file as UTF-8 (e.g. `iconv -f latin1 -t utf-8`)")
        }
        var parser = Parser(bytes: bytes, file: file)
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { parser.i = 3 }
        guard let (_, header) = try parser.nextRecord(), !(header.count == 1 && header[0].isEmpty) else {
            throw InputError(file: file, line: 1, message: "the CSV file has no header row",
                             hint: "the first line must name the columns, e.g. id,text,label")
        }
        // By Swift string, which compares canonically: NFC and NFD spellings of a name are one column.
        var seen: [String: String] = [:]
        for (k, name) in header.enumerated() {
            if name.isEmpty {
                throw InputError(file: file, line: 1, message: "column \(k + 1) of the header has no name",
                                 hint: "name every column in the header row")
            }
            if let earlier = seen.updateValue(name, forKey: name) {
                if earlier.utf8.elementsEqual(name.utf8) {
                    throw InputError(file: file, line: 1, field: name, message: "the header names this column twice",
                                     hint: "column names must be unique")
                }
                throw InputError(file: file, line: 1, field: name,
                                 message: "the header names this column twice: \"\(name.scalarEscaped)\" and \"\(earlier.scalarEscaped)\" are the same text in Unicode (canonically equivalent, such as NFC and NFD)",
                                 hint: "spell each column name once, in one Unicode form (NFC: `uconv -x any-nfc`)")
            }
        }
        var rows: [ManifestRow] = []
        while let (line, fields) = try parser.nextRecord() {
            if fields.count == 1 && fields[0].isEmpty { continue }  // a blank line
            guard fields.count == header.count else {
                throw InputError(file: file, line: line,
                                 message: "row has \(fields.count) fields but the header has \(header.count)",
                                 hint: "quote values that contain commas, e.g. \"a, b\"; every row needs one value per column")
            }
            rows.append(ManifestRow(line: line, members: zip(header, fields).map { JSONMember($0, .string($1)) }))
        }
        return (header, rows)
    }

    private struct Parser {
        let bytes: UnsafeRawBufferPointer
        let file: String
        var i = 0
        var line = 1

        init(bytes: UnsafeRawBufferPointer, file: String) {
            self.bytes = bytes
            self.file = file
        }

        /// The next record and the line it starts on; nil at the end of the input.
        mutating func nextRecord() throws -> (Int, [String])? {
            guard i < bytes.count else { return nil }
            let startLine = line
            var fields: [String] = []
            var field: [UInt8] = []
            while true {
                if i >= bytes.count { fields.append(String(decoding: field, as: UTF8.self)); return (startLine, fields) }
                let c = bytes[i]
                if c == UInt8(ascii: "\"") && field.isEmpty {
                    let quoteLine = line
                    i += 1
                    while true {
                        guard i < bytes.count else {
                            throw InputError(file: file, line: quoteLine, field: nil,
                                             message: "a quoted value is never closed",
                                             hint: "close the quote; write a quote inside a quoted value as \"\"")
                        }
                        let q = bytes[i]
                        if q == UInt8(ascii: "\"") {
                            if i + 1 < bytes.count && bytes[i + 1] == UInt8(ascii: "\"") { field.append(q); i += 2; continue }
                            i += 1
                            break
                        }
                        if q == 0x0a || (q == 0x0d && (i + 1 == bytes.count || bytes[i + 1] != 0x0a)) { line += 1 }
                        field.append(q)
                        i += 1
                    }
                    if i < bytes.count, bytes[i] != UInt8(ascii: ","), bytes[i] != 0x0a, bytes[i] != 0x0d {
                        throw InputError(file: file, line: line, message: "text after a closing quote",
                                         hint: "a quoted value must be followed by a comma or the end of the line")
                    }
                    continue
                }
                switch c {
                case UInt8(ascii: ","):
                    fields.append(String(decoding: field, as: UTF8.self))
                    field.removeAll(keepingCapacity: true)
                    i += 1
                case 0x0a, 0x0d:
                    // LF, CRLF, or a lone CR (which Python's csv also reads as a line end).
                    i += c == 0x0d && i + 1 < bytes.count && bytes[i + 1] == 0x0a ? 2 : 1
                    line += 1
                    fields.append(String(decoding: field, as: UTF8.self))
                    return (startLine, fields)
                default:
                    field.append(c)
                    i += 1
                }
            }
        }
    }
}
