using OrleansSaas.Benchmarks.Reporting;
using OrleansSaas.Benchmarks.Workload;

namespace OrleansSaas.Benchmarks.Scenarios;

/// <summary>The delivery accounting every scenario that sends messages reports, and its checks (the smoke tests assert them).</summary>
public static class DeliveryReporting
{
    public const string Accepted = "messages accepted";
    public const string AllDelivered = "every accepted message delivered";
    public const string NoDuplicates = "no duplicates";

    public static void Add(ScenarioReport report, DeliveryResult delivery)
    {
        report.Add("delivery", "accepted", delivery.Accepted, "messages");
        report.Add("delivery", "delivered", delivery.Delivered, "messages");
        report.Add("delivery", "lost", delivery.Lost, "messages", Goal.AtMost(0, "0"));
        report.Add("delivery", "duplicates", delivery.Duplicates, "messages", Goal.AtMost(0, "0"));
        report.Check(Accepted, delivery.Accepted > 0, $"{delivery.Accepted} accepted (202)");
        report.Check(AllDelivered, delivery.Lost == 0,
            delivery.Lost == 0 ? $"all {delivery.Accepted} arrived at their receiving session" : $"{delivery.Lost} lost, e.g. {string.Join(", ", delivery.LostSample)}");
        report.Check(NoDuplicates, delivery.Duplicates == 0, $"{delivery.Duplicates} extra copies");
        if (delivery.Unconfirmed > 0)
            report.Notes.Add($"{delivery.Unconfirmed} sends ended without a 202 after a server error or no answer; {delivery.UnconfirmedDelivered} of them " +
                "had been committed and arrived once (the client could not know; retrying under the same Idempotency-Key is safe).");
    }
}
