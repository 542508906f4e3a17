using System.Text.Json;
using System.Text.Json.Nodes;

namespace OrleansSaas.Engines.CloudApi;

/// <summary>A number uploaded to the Graph API as <paramref name="GraphId"/>; Meta keeps uploads 30 days.</summary>
public sealed record UploadedMedia(string GraphId, DateTimeOffset UploadedAt);

/// <summary>
/// What the engine keeps for a session, sealed in engine_state: the credentials (the token changes by rotation),
/// the session's webhook id and the media already uploaded.
/// </summary>
public sealed class CloudApiAccount
{
    public string PhoneNumberId { get; set; } = "";
    public string AccessToken { get; set; } = "";
    public string AppSecret { get; set; } = "";
    public string VerifyToken { get; set; } = "";
    public string? WabaId { get; set; }
    public string HookId { get; set; } = "";
    public Dictionary<string, UploadedMedia> Media { get; set; } = new(StringComparer.Ordinal);

    public string ToJson() => JsonSerializer.Serialize(this);

    public static CloudApiAccount FromJson(string json) => JsonSerializer.Deserialize<CloudApiAccount>(json)!;
}

/// <summary>Checks the <c>cloudApi</c> settings object; error fields are full request paths.</summary>
public static class CloudApiSettings
{
    public const string Field = "cloudApi";
    private static readonly string[] Known = ["phoneNumberId", "accessToken", "appSecret", "verifyToken", "wabaId"];
    private static readonly string[] Required = ["phoneNumberId", "accessToken", "appSecret", "verifyToken"];
    private static readonly string[] Changeable = ["accessToken", "appSecret", "verifyToken", "wabaId"];

    /// <summary>Reads the settings; with <paramref name="update"/>, every field is optional and the number cannot change.</summary>
    public static Dictionary<string, string> Read(string? json, bool update, List<SettingError> errors)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        JsonNode? node;
        try
        {
            node = json is null ? null : JsonNode.Parse(json);
        }
        catch (JsonException)
        {
            node = null;
        }
        if (node is not JsonObject settings)
        {
            errors.Add(new SettingError(Field, "is required for engine cloud_api: an object with phoneNumberId, accessToken, appSecret and verifyToken (wabaId optional)."));
            return values;
        }
        foreach (var (name, value) in settings)
        {
            var path = $"{Field}.{name}";
            if (!Known.Contains(name)) errors.Add(new SettingError(path, "is not a Cloud API setting."));
            else if (update && !Changeable.Contains(name)) errors.Add(new SettingError(path, "cannot be changed; create a new session for another number."));
            else if (value is not JsonValue v || !v.TryGetValue<string>(out var text)) errors.Add(new SettingError(path, "must be a string."));
            else if (Check(name, text) is { } problem) errors.Add(new SettingError(path, problem));
            else values[name] = text;
        }
        if (!update)
            foreach (var name in Required.Where(n => !settings.ContainsKey(n)))
                errors.Add(new SettingError($"{Field}.{name}", "is required."));
        return values;
    }

    private static string? Check(string name, string value) => name switch
    {
        "phoneNumberId" or "wabaId" when value.Length is 0 or > 32 || !value.All(char.IsAsciiDigit) => "must be the numeric id from Meta's app dashboard.",
        "accessToken" when value.Length is < 8 or > 4096 || value.Any(c => c is <= ' ' or > '~') => "must be an access token: 8–4096 printable characters without spaces.",
        "appSecret" when value.Length is < 8 or > 256 || value.Any(c => c is <= ' ' or > '~') => "must be the app secret: 8–256 printable characters without spaces.",
        "verifyToken" when value.Length is 0 or > 256 || value.Any(c => c is <= ' ' or > '~') => "must be 1–256 printable characters without spaces.",
        _ => null,
    };
}
