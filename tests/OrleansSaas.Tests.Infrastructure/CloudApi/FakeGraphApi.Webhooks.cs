using System.Security.Cryptography;
using System.Text;

namespace OrleansSaas.Tests.Infrastructure.CloudApi;

/// <summary>The fake's webhooks to our gateway: envelopes written by hand from the documented format, signed over the exact bytes sent.</summary>
public sealed partial class FakeGraphApi
{
    private static string Now() => DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString();

    private static string Envelope(FakeNumber number, string valueTail) =>
        $$"""{"object":"whatsapp_business_account","entry":[{"id":"{{number.WabaId}}","changes":[{"value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"{{number.DisplayPhoneNumber}}","phone_number_id":"{{number.PhoneNumberId}}"},{{valueTail}}},"field":"messages"}]}]}""";

    public static string StatusJson(FakeNumber number, string wamid, string waId, string status, string? callbackData = null)
    {
        var errors = status == "failed"
            ? ""","errors":[{"code":131047,"title":"Re-engagement message","message":"Re-engagement message","error_data":{"details":"Message failed to send because more than 24 hours have passed since the customer last replied to this number."},"href":"https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/"}]"""
            : "";
        var pricing = status is "sent" or "delivered" or "read" ? ""","pricing":{"billable":true,"pricing_model":"PMP","category":"service","type":"free_customer_service"}""" : "";
        var callback = callbackData is null ? "" : $$""","biz_opaque_callback_data":{{Str(callbackData)}}""";
        return Envelope(number, $$"""
            "statuses":[{"id":"{{wamid}}","status":"{{status}}","timestamp":"{{Now()}}","{{(waId.All(char.IsAsciiDigit) ? "recipient_id" : "recipient_user_id")}}":"{{waId}}"{{callback}}{{pricing}}{{errors}}}]
            """.Trim());
    }

    /// <summary>An inbound message of any type: <paramref name="typeObject"/> is the JSON of the type's own object.</summary>
    public static string MessageJson(FakeNumber number, string from, string wamid, string type, string typeObject, string profileName = "Sheena Nelson", string? contextId = null, string? userId = null)
    {
        var context = contextId is null ? "" : $",\"context\":{{\"from\":\"{number.DisplayPhoneNumber}\",\"id\":\"{contextId}\"}}";
        var fromField = from.Length == 0 ? "" : $"\"from\":\"{from}\",";
        var waId = from.Length == 0 ? "" : $",\"wa_id\":\"{from}\"";
        var user = userId is null ? "" : $",\"user_id\":\"{userId}\"";
        var fromUser = userId is null ? "" : $"\"from_user_id\":\"{userId}\",";
        return Envelope(number, $$"""
            "contacts":[{"profile":{"name":{{Str(profileName)}}}{{waId}}{{user}}}],"messages":[{{{fromField}}{{fromUser}}"id":"{{wamid}}","timestamp":"{{Now()}}"{{context}},"type":"{{type}}","{{type}}":{{typeObject}}}]
            """.Trim());
    }

    public static string NewWamid() => "wamid.HBgL" + Convert.ToHexString(RandomNumberGenerator.GetBytes(18));

    public static string TextObject(string body) => $$"""{"body":{{Str(body)}}}""";

    /// <summary>Posts a webhook body to the number's webhook URL, signed with its app secret (or with the given signature header).</summary>
    public async Task<HttpResponseMessage> PostWebhookAsync(FakeNumber number, string json, string? signature = null, bool sign = true)
    {
        var bytes = Encoding.UTF8.GetBytes(json);
        using var request = new HttpRequestMessage(HttpMethod.Post, number.WebhookUrl ?? throw new InvalidOperationException("The number has no webhook URL."));
        request.Content = new ByteArrayContent(bytes);
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        if (sign) request.Headers.TryAddWithoutValidation("X-Hub-Signature-256", signature ?? Sign(bytes, number.AppSecret));
        var postedAt = DateTimeOffset.UtcNow;
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var response = await _webhookClient.SendAsync(request);
        var answer = await response.Content.ReadAsStringAsync();
        _webhookPosts.Enqueue(new WebhookPost(postedAt, System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds, (int)response.StatusCode, json));
        _webhookAnswers.Enqueue(((int)response.StatusCode, answer));
        return response;
    }

    public static string Sign(byte[] body, string appSecret) => "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(appSecret), body));

    private async Task PostStatusesAsync(FakeNumber number, string wamid, string waId, string[] statuses, string? callbackData)
    {
        if (number.WebhookUrl is null) return;
        IEnumerable<string> order = ReverseStatuses ? statuses.Reverse() : statuses;
        if (DuplicateStatuses) order = order.SelectMany(s => new[] { s, s });
        try
        {
            await Task.Delay(20);
            foreach (var status in order)
            {
                // Meta retries a webhook that was not answered with 200; so does the fake, a few times.
                for (var attempt = 0; attempt < 20; attempt++)
                {
                    try
                    {
                        using var response = await PostWebhookAsync(number, StatusJson(number, wamid, waId, status, callbackData));
                        if (response.IsSuccessStatusCode) break;
                    }
                    catch (Exception error) when (error is HttpRequestException or TaskCanceledException)
                    {
                        // No answer, or none in time: retried like any answer but 200.
                    }
                    await Task.Delay(500);
                }
            }
        }
        catch (ObjectDisposedException)
        {
            // The fake stopped.
        }
    }
}
