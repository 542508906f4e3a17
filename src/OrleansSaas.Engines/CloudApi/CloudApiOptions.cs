using System.ComponentModel.DataAnnotations;

namespace OrleansSaas.Engines.CloudApi;

/// <summary>Configuration section CloudApi: where the Graph API is (tests point it at a loopback fake) and how inbound webhooks are worked off.</summary>
public sealed class CloudApiOptions
{
    public const string Section = "CloudApi";

    [Required, Url]
    public string BaseUrl { get; set; } = "https://graph.facebook.com";

    /// <summary>Graph API version in every path (v23.0–v25.0 seen in the field).</summary>
    [Required, RegularExpression(@"^v\d+\.\d+$", ErrorMessage = "CloudApi:ApiVersion must look like v23.0.")]
    public string ApiVersion { get; set; } = "v23.0";

    /// <summary>The gateway's public URL (e.g. https://api.example.com), put in front of a session's webhook path; empty shows the path alone.</summary>
    public string PublicGatewayUrl { get; set; } = "";

    [Range(typeof(TimeSpan), "00:00:01", "00:05:00")]
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>How often each silo looks for stored webhooks nobody is working on (their grain went with a silo).</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan InboxSweepInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Age after which a stored webhook counts as forgotten by the sweep.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan InboxGrace { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a status for a message id we do not know yet is kept (the send's reply may still be on its way).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan UnknownStatusPatience { get; set; } = TimeSpan.FromMinutes(2);
}
