using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace OrleansSaas.Engines.Web;

/// <summary>A web session's own settings (the optional <c>web</c> object at creation), kept in engine_state.</summary>
public sealed partial class WebSettings
{
    public const string Field = "web";

    public string? PhoneNumber { get; set; }
    public bool TypingBeforeSend { get; set; }

    public string ToJson() => JsonSerializer.Serialize(this);

    public static WebSettings FromJson(string? json) => json is null ? new WebSettings() : JsonSerializer.Deserialize<WebSettings>(json) ?? new WebSettings();

    public static WebSettings Read(string? json, List<SettingError> errors)
    {
        var settings = new WebSettings();
        if (json is null) return settings;
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(json);
        }
        catch (JsonException)
        {
            node = null;
        }
        if (node is not JsonObject fields)
        {
            errors.Add(new SettingError(Field, "must be an object (phoneNumber, typingBeforeSend; both optional)."));
            return settings;
        }
        foreach (var (name, value) in fields)
        {
            var path = $"{Field}.{name}";
            switch (name)
            {
                case "phoneNumber" when value is JsonValue v && v.TryGetValue<string>(out var number) && E164().IsMatch(number):
                    settings.PhoneNumber = number;
                    break;
                case "phoneNumber":
                    errors.Add(new SettingError(path, "must be an international number in E.164 form, e.g. +14155550123."));
                    break;
                case "typingBeforeSend" when value is JsonValue b && b.TryGetValue<bool>(out var typing):
                    settings.TypingBeforeSend = typing;
                    break;
                case "typingBeforeSend":
                    errors.Add(new SettingError(path, "must be true or false."));
                    break;
                default:
                    errors.Add(new SettingError(path, "is not a web engine setting."));
                    break;
            }
        }
        return settings;
    }

    [GeneratedRegex(@"^\+[1-9][0-9]{5,14}$")]
    private static partial Regex E164();
}
