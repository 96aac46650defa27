import Foundation
import TrailCore

/// Writes a small, deterministic content-moderation dataset for the README demo, and its next
/// version after an adjudication round, without Python. (The benchmarks use
/// ../shared/bench/gen_dataset.py, which this follows in spirit.)
///
///   trail-demo-data --samples 2000 --media-dir demo/media --out demo/v1.jsonl
///   trail-demo-data --evolve-from demo/v1.jsonl --relabel 0.05 --guideline v3.2 --out demo/v2.jsonl
@main
struct DemoData {
    static let labels = ["safe", "safe", "safe", "safe", "safe", "safe", "minor_safety.sexualization",
                         "minor_safety.dangerous_acts", "minor_safety.age_under_13", "harassment", "hate_speech",
                         "self_harm", "spam", "graphic_violence"]
    static let words = ("video dance challenge school friend watch stream live comment trend music duet kid teen game prank "
        + "stunt jump fire car party buy sell link follow like share creator account private message meet photo").split(separator: " ")

    static func main() {
        var options: [String: String] = [:]
        var args = CommandLine.arguments.dropFirst()
        while let flag = args.popFirst() {
            guard flag.hasPrefix("--"), let value = args.popFirst() else {
                fail("usage: trail-demo-data --samples N --out FILE [--media-dir DIR] | --evolve-from FILE --relabel RATE --guideline V --out FILE")
            }
            options[String(flag.dropFirst(2))] = value
        }
        guard let out = options["out"] else { fail("--out FILE is required") }
        var rng = SplitMix(seed: UInt64(options["seed"] ?? "7") ?? 7)
        var lines: [String] = []
        if let source = options["evolve-from"] {
            guard let text = try? String(contentsOfFile: source, encoding: .utf8) else { fail("cannot read \(source)") }
            let rate = Double(options["relabel"] ?? "0.05") ?? 0.05
            let guideline = options["guideline"] ?? "v3.2"
            for line in text.split(separator: "\n") {
                guard case .object(var members)? = try? JSONParser.parse(String(line)) else { fail("bad line in \(source)") }
                if rng.unit() < rate {
                    let old = members.first { $0.key == "label" }?.value.stringValue
                    let choices = labels.filter { $0 != old }
                    set(&members, "label", .string(choices[rng.below(choices.count)]))
                    set(&members, "annotator", .string("adjudicator_\(rng.below(3) + 1)"))
                    set(&members, "guideline", .string(guideline))
                }
                lines.append(String(decoding: CanonicalJSON.encode(.object(members)), as: UTF8.self))
            }
        } else {
            let count = Int(options["samples"] ?? "1000") ?? 1000
            let mediaDir = options["media-dir"]
            for i in 0..<count {
                let id = String(format: "s%06d", i)
                var members: [JSONMember] = [
                    JSONMember("id", .string(id)),
                    JSONMember("text", .string((0..<(6 + rng.below(20))).map { _ in String(words[rng.below(words.count)]) }.joined(separator: " "))),
                    JSONMember("label", .string(labels[rng.below(labels.count)])),
                    JSONMember("severity", .number(String(rng.below(4)))),
                    JSONMember("annotator", .string(String(format: "ann_%03d", rng.below(12) + 1))),
                    JSONMember("guideline", .string("v3.1")),
                    JSONMember("confidence", .number(String(format: "%.3f", 0.5 + rng.unit() / 2))),
                    JSONMember("source", .string(["user_report", "proactive_model", "appeal_queue"][rng.below(3)])),
                ]
                if let mediaDir, i % 4 == 0 {
                    let relative = "media/\(id.suffix(2))/\(id).bin"
                    let path = URL(fileURLWithPath: mediaDir).deletingLastPathComponent().appendingPathComponent(relative)
                    try? FileManager.default.createDirectory(at: path.deletingLastPathComponent(), withIntermediateDirectories: true)
                    let bytes = (0..<512).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
                    guard FileManager.default.createFile(atPath: path.path, contents: Data(bytes)) else { fail("cannot write \(path.path)") }
                    members.append(JSONMember("media", .string(relative)))
                }
                lines.append(String(decoding: CanonicalJSON.encode(.object(members)), as: UTF8.self))
            }
        }
        guard FileManager.default.createFile(atPath: out, contents: Data((lines.joined(separator: "\n") + "\n").utf8)) else {
            fail("cannot write \(out)")
        }
    }

    static func set(_ members: inout [JSONMember], _ key: String, _ value: JSONValue) {
        if let i = members.firstIndex(where: { $0.key == key }) { members[i].value = value } else { members.append(JSONMember(key, value)) }
    }

    static func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data("trail-demo-data: \(message)\n".utf8))
        exit(2)
    }
}

/// A small deterministic random number generator.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
}
