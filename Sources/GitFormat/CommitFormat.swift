/// Encodes git commit and tag objects. Trail writes them into the same packfile as the
/// snapshot's trees and records, so a commit becomes visible all at once.
public enum CommitFormat {
    /// The bytes of a commit object.
    public static func encodeCommit(tree: ObjectID, parents: [ObjectID], author: Signature,
                                    committer: Signature, message: String) -> [UInt8] {
        var text = "tree \(tree.hex)\n"
        for parent in parents { text += "parent \(parent.hex)\n" }
        text += "author \(author.headerValue)\n"
        text += "committer \(committer.headerValue)\n\n"
        text += message.hasSuffix("\n") ? message : message + "\n"
        return Array(text.utf8)
    }

    /// The bytes of an annotated tag object pointing at `target`.
    public static func encodeTag(target: ObjectID, type: ObjectType, name: String,
                                 tagger: Signature, message: String) -> [UInt8] {
        var text = "object \(target.hex)\ntype \(type.name)\ntag \(name)\n"
        text += "tagger \(tagger.headerValue)\n\n"
        text += message.hasSuffix("\n") ? message : message + "\n"
        return Array(text.utf8)
    }
}
