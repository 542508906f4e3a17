namespace OrleansSaas.Data.Media;

/// <summary>What a piece of media is sent as; each kind has its own accepted types and size limit (see <see cref="MediaRules"/>).</summary>
public enum MediaKind { Image, Video, Audio, Document, Sticker }

/// <summary>How the media reached us: uploaded by the tenant, or received by one of its sessions.</summary>
public enum MediaSource { Upload, Inbound }

/// <summary>The text each media enum is stored as (and named by in the API): lowercase names, never the numeric value.</summary>
public static class MediaNames
{
    public static string ToDb(this MediaKind kind) => kind.ToString().ToLowerInvariant();

    public static string ToDb(this MediaSource source) => source.ToString().ToLowerInvariant();

    public static bool TryParseKind(string? value, out MediaKind kind)
    {
        foreach (var candidate in Enum.GetValues<MediaKind>())
        {
            if (candidate.ToDb() != value) continue;
            kind = candidate;
            return true;
        }
        kind = default;
        return false;
    }

    public static MediaKind ToMediaKind(string value) =>
        TryParseKind(value, out var kind) ? kind : throw new FormatException($"Unknown media kind '{value}'.");
}
