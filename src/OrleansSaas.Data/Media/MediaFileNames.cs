using System.Globalization;
using System.Text;

namespace OrleansSaas.Data.Media;

/// <summary>File names come from clients and from other WhatsApp users; they are kept only as a safe base name.</summary>
public static class MediaFileNames
{
    private const int MaxLength = 200;

    /// <summary>
    /// The last path segment without control or format characters, nor characters that are special in file systems or
    /// headers, at most <see cref="MaxLength"/> characters (keeping the extension); null when nothing usable is left.
    /// </summary>
    public static string? Sanitise(string? name)
    {
        if (name is null) return null;
        name = name[(name.LastIndexOfAny(['/', '\\']) + 1)..];
        // Enumerating runes turns unpaired surrogates into U+FFFD, so the result is always valid UTF-8 for the database.
        var clean = string.Concat(name.EnumerateRunes().Where(IsAllowed)).Trim().TrimEnd('.');
        if (clean.Length == 0) return null;
        if (clean.EnumerateRunes().Count() <= MaxLength) return clean;
        var extension = Path.GetExtension(clean);
        if (extension.Length > 16) extension = "";
        var stem = clean.EnumerateRunes().Take(MaxLength - extension.Length);
        return string.Concat(stem).TrimEnd() + extension;
    }

    // Format characters include the bidi overrides that disguise "gpj.exe" as "exe.jpg".
    private static bool IsAllowed(Rune rune) =>
        Rune.GetUnicodeCategory(rune) is not (UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator)
        && !(rune.IsAscii && "<>:\"|?*".Contains((char)rune.Value));
}
