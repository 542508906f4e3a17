using Microsoft.Net.Http.Headers;
using OrleansSaas.Data.Media;
using OrleansSaas.Gateway.Problems;

namespace OrleansSaas.Gateway.Media;

/// <summary>An upload whose form, type and size have been checked: the file part and what it will be stored as.</summary>
public sealed record CheckedUpload(IFormFile File, MediaUpload Media);

/// <summary>
/// Reads and checks the multipart body of POST /v1/media: one part named <c>file</c> and an optional <c>kind</c>.
/// The form reader spools the file to disk beyond 64 KB, so even a 100 MB document is never held in memory.
/// </summary>
public static class MediaUploadForm
{
    /// <summary>The request limit of the upload endpoint: the largest file plus room for the multipart framing and <c>kind</c>.</summary>
    public const long MaxRequestBytes = MediaRules.LargestFile + MediaRules.MiB;

    private static readonly string KindValues = string.Join(", ", Enum.GetValues<MediaKind>().Select(k => k.ToDb()));

    public static async Task<(CheckedUpload? Upload, IResult? Problem)> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var contentType) || !contentType.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase))
            return (null, Problem.Invalid("file", "is required: send the request as multipart/form-data with the file in a part named 'file'."));
        IFormCollection form;
        try
        {
            form = await request.ReadFormAsync(cancellationToken);
        }
        catch (BadHttpRequestException tooLarge) when (tooLarge.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (null, MediaProblems.TooLarge("file", $"the request is over {MaxRequestBytes} bytes; the largest file any kind accepts is {Describe(MediaRules.LargestFile)}."));
        }
        catch (Exception unreadable) when (unreadable is InvalidDataException or IOException)
        {
            return (null, Problem.Invalid("file", "the multipart/form-data body could not be read."));
        }

        var errors = new FieldErrors();
        MediaKind? requestedKind = null;
        if (form.TryGetValue("kind", out var kindValues))
        {
            if (kindValues.Count == 1 && MediaNames.TryParseKind(kindValues[0], out var kind)) requestedKind = kind;
            else errors.Add("kind", $"must be one of {KindValues}.");
        }
        var files = form.Files.GetFiles("file");
        if (files.Count == 0)
            errors.Add("file", form.ContainsKey("file") ? "must be a file part (with a filename), not a plain form field." : "is required: a part named 'file' with the file's bytes.");
        else if (files.Count > 1) errors.Add("file", "must be a single file.");
        else if (files[0].Length == 0) errors.Add("file", "is empty.");
        foreach (var unknown in form.Keys.Concat(form.Files.Select(f => f.Name)).Where(name => name is not ("kind" or "file")).Distinct())
            errors.Add(unknown, "unknown field.");
        if (errors.Any) return (null, Problem.Invalid(errors));

        var file = files[0];
        var (media, problem) = await CheckContentAsync(file, requestedKind, cancellationToken);
        return media is null ? (null, problem) : (new CheckedUpload(file, media), null);
    }

    // The bytes decide what the file is; a declared type must agree with them, and the kind must accept the type.
    private static async Task<(MediaUpload? Media, IResult? Problem)> CheckContentAsync(IFormFile file, MediaKind? requestedKind, CancellationToken cancellationToken)
    {
        SniffedType? sniffed;
        await using (var content = file.OpenReadStream())
            sniffed = await MediaSniffer.SniffAsync(content, cancellationToken);
        if (sniffed is null)
            return (null, Problem.Invalid("file", "is not a type this API accepts: its bytes match no supported image, video, audio, sticker or document format."));
        var declared = MediaSniffer.Declared(file.ContentType);
        if (declared is not null && !sniffed.Matches(declared))
            return (null, Problem.Invalid("file", $"declared type does not match the content: declared {declared}, but the bytes are {sniffed.MimeType}."));

        var mimeType = declared ?? sniffed.MimeType;
        var kind = requestedKind ?? MediaRules.KindFor(mimeType);
        if (!MediaRules.Accepts(kind, mimeType))
            return (null, Problem.Invalid("file", $"is {mimeType}, which kind '{kind.ToDb()}' does not accept; it accepts {string.Join(", ", MediaRules.AcceptedTypes(kind))}."));
        var limit = MediaRules.MaxBytes(kind, sniffed.Animated);
        if (file.Length > limit)
        {
            var what = kind == MediaKind.Sticker ? (sniffed.Animated ? "an animated sticker" : "a static sticker") : $"kind '{kind.ToDb()}'";
            return (null, MediaProblems.TooLarge("file", $"is {file.Length} bytes; the limit for {what} is {limit} bytes ({Describe(limit)})."));
        }
        return (new MediaUpload(kind, mimeType, file.FileName, file.Length), null);
    }

    private static string Describe(long bytes) =>
        bytes % MediaRules.MiB == 0 ? $"{bytes / MediaRules.MiB} MiB" : $"{bytes / MediaRules.KiB} KiB";
}
