namespace OrleansSaas.Data.Media;

/// <summary>
/// What each kind of media may be, from the Cloud API's limits (shared/CLOUD_API.md, "Media"). Sizes are binary:
/// 1 MB = 1,048,576 bytes. Anything not listed is refused, so an unknown or executable file never gets stored.
/// </summary>
public static class MediaRules
{
    public const long KiB = 1024;
    public const long MiB = 1024 * KiB;

    public const string Jpeg = "image/jpeg";
    public const string Png = "image/png";
    public const string Webp = "image/webp";
    public const string Mp4 = "video/mp4";
    public const string ThreeGpp = "video/3gpp";
    public const string Aac = "audio/aac";
    public const string M4a = "audio/mp4";
    public const string Mpeg = "audio/mpeg";
    public const string Amr = "audio/amr";
    public const string OggOpus = "audio/ogg";
    public const string Pdf = "application/pdf";
    public const string Text = "text/plain";
    public const string Docx = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
    public const string Xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    public const string Pptx = "application/vnd.openxmlformats-officedocument.presentationml.presentation";

    private static readonly string[] ImageTypes = [Jpeg, Png];
    private static readonly string[] VideoTypes = [Mp4, ThreeGpp];
    private static readonly string[] AudioTypes = [Aac, M4a, Mpeg, Amr, OggOpus];
    private static readonly string[] StickerTypes = [Webp];
    // A document is sent as a file, so photos, clips and recordings are fine as documents too.
    private static readonly string[] DocumentTypes = [Pdf, Text, Docx, Xlsx, Pptx, .. ImageTypes, .. StickerTypes, .. VideoTypes, .. AudioTypes];

    /// <summary>The largest file of any kind; the upload endpoint's request limit is derived from it.</summary>
    public const long LargestFile = 100 * MiB;

    public static IReadOnlyList<string> AcceptedTypes(MediaKind kind) => kind switch
    {
        MediaKind.Image => ImageTypes,
        MediaKind.Video => VideoTypes,
        MediaKind.Audio => AudioTypes,
        MediaKind.Sticker => StickerTypes,
        _ => DocumentTypes,
    };

    public static bool Accepts(MediaKind kind, string mimeType) => AcceptedTypes(kind).Contains(mimeType);

    public static long MaxBytes(MediaKind kind, bool animated) => kind switch
    {
        MediaKind.Image => 5 * MiB,
        MediaKind.Video or MediaKind.Audio => 16 * MiB,
        MediaKind.Sticker => animated ? 500 * KiB : 100 * KiB,
        _ => LargestFile,
    };

    /// <summary>The kind a file is sent as when the client does not say: WebP images are WhatsApp stickers.</summary>
    public static MediaKind KindFor(string mimeType) => mimeType switch
    {
        Jpeg or Png => MediaKind.Image,
        Webp => MediaKind.Sticker,
        _ when mimeType.StartsWith("video/", StringComparison.Ordinal) => MediaKind.Video,
        _ when mimeType.StartsWith("audio/", StringComparison.Ordinal) => MediaKind.Audio,
        _ => MediaKind.Document,
    };

    /// <summary>A file name extension for downloads of media stored without a name.</summary>
    public static string Extension(string mimeType) => mimeType.Split(';')[0].Trim() switch
    {
        Jpeg => ".jpg",
        Png => ".png",
        Webp => ".webp",
        Mp4 => ".mp4",
        ThreeGpp => ".3gp",
        Aac => ".aac",
        M4a => ".m4a",
        Mpeg => ".mp3",
        Amr => ".amr",
        OggOpus => ".ogg",
        Pdf => ".pdf",
        Text => ".txt",
        Docx => ".docx",
        Xlsx => ".xlsx",
        Pptx => ".pptx",
        _ => ".bin",
    };
}
