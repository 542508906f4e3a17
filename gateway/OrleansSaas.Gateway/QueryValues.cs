using System.Globalization;
using System.Text.Json;
using OrleansSaas.Gateway.Problems;

namespace OrleansSaas.Gateway;

/// <summary>Query-string filters, read the way the JSON is written (snake_case enum names, ISO 8601 times).</summary>
public static class QueryValues
{
    public static T? Name<T>(string? value, string field, FieldErrors errors) where T : struct, Enum
    {
        if (value is null) return null;
        foreach (var candidate in Enum.GetValues<T>())
            if (SnakeName(candidate) == value) return candidate;
        errors.Add(field, $"must be one of {string.Join(", ", Enum.GetValues<T>().Select(SnakeName))}.");
        return null;
    }

    public static DateTimeOffset? Time(string? value, string field, FieldErrors errors)
    {
        if (value is null) return null;
        if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time)) return time;
        errors.Add(field, "must be an ISO 8601 time, e.g. 2026-11-23T09:00:00Z.");
        return null;
    }

    /// <summary>A page size (default when absent) and a sequence cursor (a positive number this API returned as nextCursor).</summary>
    public static (int Limit, long? Before) SequencePage(int? limit, string? cursor, int defaultSize, int maxSize, FieldErrors errors)
    {
        if (limit is < 1 || limit > maxSize) errors.Add("limit", $"must be between 1 and {maxSize}.");
        long? before = null;
        if (cursor is not null)
        {
            if (long.TryParse(cursor, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) && parsed > 0) before = parsed;
            else errors.Add("cursor", "is not a cursor this API returned.");
        }
        return (limit ?? defaultSize, before);
    }

    private static string SnakeName<T>(T value) where T : struct, Enum => JsonNamingPolicy.SnakeCaseLower.ConvertName(value.ToString());
}
