using PhoneNumbers;

namespace OrleansSaas.Gateway;

/// <summary>Phone numbers are accepted only in international form and stored normalised to E.164.</summary>
public static class PhoneNumberField
{
    private static readonly PhoneNumberUtil Util = PhoneNumberUtil.GetInstance();

    /// <summary>The E.164 form, or null with a message for the client.</summary>
    public static string? Normalise(string? raw, out string? error)
    {
        error = null;
        if (string.IsNullOrWhiteSpace(raw))
        {
            error = "is required.";
            return null;
        }
        if (raw.Length > 32 || !raw.TrimStart().StartsWith('+'))
        {
            error = "must be an international number in E.164 form, e.g. +14155550123.";
            return null;
        }
        try
        {
            var number = Util.Parse(raw, null);
            if (Util.IsValidNumber(number)) return Util.Format(number, PhoneNumberFormat.E164);
        }
        catch (NumberParseException)
        {
        }
        error = "is not a valid phone number (E.164, e.g. +14155550123).";
        return null;
    }
}
