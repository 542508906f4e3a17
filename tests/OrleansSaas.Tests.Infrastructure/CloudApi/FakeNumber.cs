using System.Collections.Concurrent;

namespace OrleansSaas.Tests.Infrastructure.CloudApi;

/// <summary>A business number on the fake Graph API, with the credentials a Meta app would give for it.</summary>
public sealed class FakeNumber(string phoneNumberId, string accessToken, string appSecret, string displayPhoneNumber, string verifiedName)
{
    public string PhoneNumberId { get; } = phoneNumberId;
    public string AccessToken { get; set; } = accessToken;
    public string AppSecret { get; } = appSecret;
    public string DisplayPhoneNumber { get; } = displayPhoneNumber;
    public string VerifiedName { get; } = verifiedName;
    public string WabaId { get; } = "1" + phoneNumberId;

    /// <summary>What GET /{phone-number-id} reports as status.</summary>
    public string Status { get; set; } = "CONNECTED";

    /// <summary>Where the fake posts this number's webhooks (the session's webhook URL at our gateway).</summary>
    public string? WebhookUrl { get; set; }

    /// <summary>Error codes the next sends answer, one per send, before any succeeds.</summary>
    public ConcurrentQueue<int> NextSendErrors { get; } = new();

    /// <summary>Recipients (as sent in "to") whose 24-hour window Meta considers closed: 200, then a failed status 131047.</summary>
    public ConcurrentDictionary<string, bool> ClosedWindows { get; } = new();
}
