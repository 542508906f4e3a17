using System.Buffers;
using System.IO.Compression;
using System.Text;

namespace OrleansSaas.Data.Media;

/// <summary>What a file's bytes are, whatever its name or declared type says.</summary>
/// <param name="MimeType">The canonical type of these bytes.</param>
/// <param name="Also">Other types the same bytes may honestly be declared as (an MP4 file holds a video, or only audio).</param>
/// <param name="Animated">An animated WebP (stickers have a larger limit when animated).</param>
public sealed record SniffedType(string MimeType, IReadOnlyList<string> Also, bool Animated = false)
{
    public SniffedType(string mimeType) : this(mimeType, []) { }

    public bool Matches(string declared) => declared == MimeType || Also.Contains(declared);
}

/// <summary>
/// Detects a file's type from its magic bytes. Declared types are what a client claims; the bytes are what a
/// recipient's phone will try to decode, so they decide. Types we refuse are still named, for a clear error.
/// </summary>
public static class MediaSniffer
{
    private const string Executable = "application/x-executable";
    private const string Zip = "application/zip";
    // Enough for every signature below and for a fair look at text.
    private const int HeadLength = 4096;

    // Names clients commonly declare for the types we know, mapped to the canonical name.
    private static readonly Dictionary<string, string> Aliases = new(StringComparer.Ordinal)
    {
        ["image/jpg"] = MediaRules.Jpeg,
        ["image/pjpeg"] = MediaRules.Jpeg,
        ["video/3gp"] = MediaRules.ThreeGpp,
        ["audio/x-aac"] = MediaRules.Aac,
        ["audio/x-m4a"] = MediaRules.M4a,
        ["audio/m4a"] = MediaRules.M4a,
        ["audio/mp3"] = MediaRules.Mpeg,
        ["audio/opus"] = MediaRules.OggOpus,
        ["application/x-pdf"] = MediaRules.Pdf,
    };

    /// <summary>
    /// The type a client declared, canonical and without parameters; null when it declared nothing useful
    /// (no Content-Type, or the generic application/octet-stream that tools send for "I don't know").
    /// </summary>
    public static string? Declared(string? contentType)
    {
        var type = contentType?.Split(';')[0].Trim().ToLowerInvariant();
        if (string.IsNullOrEmpty(type) || type == "application/octet-stream") return null;
        return Aliases.GetValueOrDefault(type, type);
    }

    /// <summary>Sniffs a seekable stream from its start and leaves it at its start; null when the bytes are no type we know.</summary>
    public static async Task<SniffedType?> SniffAsync(Stream content, CancellationToken cancellationToken = default)
    {
        var head = new byte[HeadLength];
        content.Position = 0;
        var length = await content.ReadAtLeastAsync(head, HeadLength, throwOnEndOfStream: false, cancellationToken);
        content.Position = 0;
        var type = Sniff(head.AsSpan(0, length));
        if (type?.MimeType != Zip) return type;
        var office = await OfficeTypeAsync(content, cancellationToken);
        content.Position = 0;
        return office;
    }

    private static SniffedType? Sniff(ReadOnlySpan<byte> head)
    {
        if (At(head, 0, [0xFF, 0xD8, 0xFF])) return new(MediaRules.Jpeg);
        if (At(head, 0, [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A])) return new(MediaRules.Png);
        if (At(head, 0, "GIF8"u8)) return new("image/gif");
        if (At(head, 0, "RIFF"u8) && At(head, 8, "WEBP"u8))
            // An extended WebP ("VP8X") carries flags; bit 1 says it is animated.
            return new(MediaRules.Webp, [], Animated: At(head, 12, "VP8X"u8) && head.Length > 20 && (head[20] & 0x02) != 0);
        if (At(head, 4, "ftyp"u8)) return IsoMedia(head);
        if (At(head, 0, "OggS"u8)) return At(head, 28, "OpusHead"u8) ? new(MediaRules.OggOpus) : new("audio/ogg; codecs=vorbis");
        if (At(head, 0, "#!AMR\n"u8)) return new(MediaRules.Amr);
        if (At(head, 0, "ID3"u8)) return new(MediaRules.Mpeg);
        if (head.Length >= 2 && head[0] == 0xFF && (head[1] & 0xF0) == 0xF0 && (head[1] & 0x06) == 0) return new(MediaRules.Aac); // ADTS frame
        if (head.Length >= 2 && head[0] == 0xFF && (head[1] & 0xE0) == 0xE0 && (head[1] & 0x06) != 0) return new(MediaRules.Mpeg); // MPEG audio frame
        if (At(head, 0, "%PDF-"u8)) return new(MediaRules.Pdf);
        if (At(head, 0, "PK\x03\x04"u8)) return new(Zip);
        if (IsExecutable(head)) return new(Executable);
        return IsText(head) ? new(MediaRules.Text) : null;
    }

    // ISO base media (MP4 family): the major brand of the leading ftyp box says which member.
    private static SniffedType IsoMedia(ReadOnlySpan<byte> head)
    {
        var brand = head.Length >= 12 ? Encoding.ASCII.GetString(head.Slice(8, 4)) : "";
        return brand switch
        {
            "M4A " or "M4B " => new(MediaRules.M4a),
            _ when brand.StartsWith("3gp", StringComparison.Ordinal) => new(MediaRules.ThreeGpp, ["audio/3gpp"]),
            _ when brand.StartsWith("3g2", StringComparison.Ordinal) => new("video/3gpp2"),
            "qt  " => new("video/quicktime"),
            "heic" or "heix" or "mif1" or "msf1" => new("image/heic"),
            "avif" or "avis" => new("image/avif"),
            _ => new(MediaRules.Mp4, [MediaRules.M4a]),
        };
    }

    // Office Open XML files are zip archives; the part folder names the application. Any other zip is refused.
    private static async Task<SniffedType> OfficeTypeAsync(Stream content, CancellationToken cancellationToken)
    {
        try
        {
            await using var zip = await ZipArchive.CreateAsync(content, ZipArchiveMode.Read, leaveOpen: true, entryNameEncoding: null, cancellationToken);
            bool Has(string name) => zip.Entries.Any(e => e.FullName == name);
            if (!Has("[Content_Types].xml")) return new(Zip);
            if (Has("word/document.xml")) return new(MediaRules.Docx);
            if (Has("xl/workbook.xml")) return new(MediaRules.Xlsx);
            if (Has("ppt/presentation.xml")) return new(MediaRules.Pptx);
            return new(Zip);
        }
        catch (InvalidDataException)
        {
            return new(Zip);
        }
    }

    private static bool IsExecutable(ReadOnlySpan<byte> head) =>
        At(head, 0, "MZ"u8) || At(head, 0, [0x7F, (byte)'E', (byte)'L', (byte)'F']) || At(head, 0, "#!"u8)
        || At(head, 0, [0xFE, 0xED, 0xFA, 0xCE]) || At(head, 0, [0xFE, 0xED, 0xFA, 0xCF])
        || At(head, 0, [0xCE, 0xFA, 0xED, 0xFE]) || At(head, 0, [0xCF, 0xFA, 0xED, 0xFE]) || At(head, 0, [0xCA, 0xFE, 0xBA, 0xBE]);

    // UTF-8 without NULs or control characters other than tab, line breaks and form feed. The head may end
    // inside a multi-byte character, which is fine.
    private static bool IsText(ReadOnlySpan<byte> head)
    {
        if (At(head, 0, [0xEF, 0xBB, 0xBF])) head = head[3..];
        while (!head.IsEmpty)
        {
            var status = Rune.DecodeFromUtf8(head, out var rune, out var consumed);
            if (status == OperationStatus.NeedMoreData) return true;
            if (status != OperationStatus.Done) return false;
            if (Rune.IsControl(rune) && rune.Value is not ('\t' or '\n' or '\r' or '\f')) return false;
            head = head[consumed..];
        }
        return true;
    }

    private static bool At(ReadOnlySpan<byte> head, int offset, ReadOnlySpan<byte> magic) =>
        head.Length >= offset + magic.Length && head.Slice(offset, magic.Length).SequenceEqual(magic);
}
