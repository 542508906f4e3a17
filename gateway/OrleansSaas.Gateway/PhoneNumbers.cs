using System.Text.RegularExpressions;
using PhoneNumbers;

namespace OrleansSaas.Gateway;

/// <summary>Phone numbers are accepted only in E.164 form ('+' and ASCII digits) and must be a number that can exist.</summary>
public static partial class PhoneNumberField
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
        if (!E164().IsMatch(raw))
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

    [GeneratedRegex("^\\+[1-9][0-9]{6,14}\\z")]
    private static partial Regex E164();
}
