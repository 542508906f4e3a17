using System.IO.Compression;
using System.Text;

namespace OrleansSaas.Tests.Media;

/// <summary>
/// Small files of each type, made in code: the real leading structure of each format (what a sniffer reads),
/// padded to any size. Not playable media, and not meant to be.
/// </summary>
public static class MediaSamples
{
    public const string Docx = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

    /// <summary>A sample by name (test data stays readable strings), at least <paramref name="size"/> bytes when given.</summary>
    public static byte[] Named(string name, int size = 0) => name switch
    {
        "jpeg" => Pad([0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, .. "JFIF\0"u8, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00], size, [0xFF, 0xD9]),
        "png" => Pad([0x89, .. "PNG\r\n\x1A\n"u8, 0, 0, 0, 13, .. "IHDR"u8, 0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0, 0x1F, 0x15, 0xC4, 0x89], size, [0, 0, 0, 0, .. "IEND"u8, 0xAE, 0x42, 0x60, 0x82]),
        "webp" => Riff("WEBP", [.. "VP8 "u8, 10, 0, 0, 0, 0x30, 0x01, 0x00, 0x9D, 0x01, 0x2A, 0x01, 0x00, 0x01, 0x00], size),
        // VP8X with the animation flag (0x02), then the ANIM chunk an animated WebP starts with.
        "webp-animated" => Riff("WEBP", [.. "VP8X"u8, 10, 0, 0, 0, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, .. "ANIM"u8, 6, 0, 0, 0, 0, 0, 0, 0, 0, 0], size),
        "gif" => Pad([.. "GIF89a"u8, 1, 0, 1, 0, 0, 0, 0], size),
        "mp4" => Pad(Ftyp("isom", "isom", "mp41"), size),
        "3gp" => Pad(Ftyp("3gp4", "3gp4", "isom"), size),
        "m4a" => Pad(Ftyp("M4A ", "M4A ", "isom"), size),
        "ogg" => Pad([.. "OggS"u8, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 19, .. "OpusHead"u8, 1, 2, 0x38, 0x01, 0x80, 0xBB, 0, 0, 0, 0, 0], size),
        "mp3" => Pad([.. "ID3"u8, 4, 0, 0, 0, 0, 0, 0, 0xFF, 0xFB, 0x90, 0x64], size),
        "aac" => Pad([0xFF, 0xF1, 0x50, 0x80, 0x02, 0x1F, 0xFC], size),
        "amr" => Pad([.. "#!AMR\n"u8, 0x3C], size),
        "pdf" => Pad("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n"u8.ToArray(), size, "\n%%EOF\n"u8.ToArray()),
        "docx" => Zip(size, "[Content_Types].xml", "word/document.xml"),
        "zip" => Zip(size, "notes/readme.md"),
        "txt" => Text(size),
        "exe" => Pad([.. "MZ"u8, 0x90, 0, 3, 0, 0, 0, 4, 0], size),
        "random" => Pad([0x00, 0x13, 0x37, 0x42, 0x00, 0x99], size),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, null),
    };

    public static byte[] Text(int size) =>
        Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("Hello from OrleansSaas, plain text.\n", Math.Max(1, size / 36 + 1))))[..Math.Max(size, 36)];

    private static byte[] Ftyp(string major, params string[] compatible)
    {
        var box = new List<byte>();
        var length = 16 + 4 * compatible.Length;
        box.AddRange([0, 0, (byte)(length >> 8), (byte)length]);
        box.AddRange("ftyp"u8.ToArray());
        box.AddRange(Encoding.ASCII.GetBytes(major));
        box.AddRange([0, 0, 2, 0]);
        foreach (var brand in compatible) box.AddRange(Encoding.ASCII.GetBytes(brand));
        return [.. box];
    }

    private static byte[] Riff(string form, byte[] chunks, int size)
    {
        var body = Pad([.. Encoding.ASCII.GetBytes(form), .. chunks], Math.Max(0, size - 8));
        var length = BitConverter.GetBytes(body.Length);
        return [.. "RIFF"u8, .. length, .. body];
    }

    private static byte[] Zip(int size, params string[] entries)
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var entry in entries)
            {
                using var writer = new StreamWriter(zip.CreateEntry(entry, CompressionLevel.NoCompression).Open());
                writer.Write("<x/>");
            }
            if (size > buffer.Length)
            {
                // Stored uncompressed, so the archive grows by about the padding.
                using var padding = zip.CreateEntry("padding.bin", CompressionLevel.NoCompression).Open();
                padding.Write(new byte[size]);
            }
        }
        return buffer.ToArray();
    }

    private static byte[] Pad(byte[] head, int size, byte[]? tail = null)
    {
        tail ??= [];
        var fill = Math.Max(0, size - head.Length - tail.Length);
        return [.. head, .. new byte[fill], .. tail];
    }
}
