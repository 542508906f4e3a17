using System.Globalization;
using System.Text;

namespace OrleansSaas.Tests.Infrastructure;

/// <summary>One sample of a Prometheus text exposition: <c>name{label="value",…} number</c>.</summary>
public sealed record PrometheusSample(string Name, IReadOnlyDictionary<string, string> Labels, double Value);

/// <summary>A small reader for the Prometheus text format (version 0.0.4), enough to assert on series.</summary>
public static class PrometheusText
{
    public static List<PrometheusSample> Parse(string text)
    {
        var samples = new List<PrometheusSample>();
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] == '#') continue;
            var at = 0;
            while (at < line.Length && line[at] != '{' && line[at] != ' ') at++;
            var name = line[..at];
            var labels = new Dictionary<string, string>(StringComparer.Ordinal);
            if (at < line.Length && line[at] == '{') at = ReadLabels(line, at + 1, labels);
            // The value is the first field after the series; a timestamp may follow it.
            var value = line[at..].Trim().Split(' ')[0];
            samples.Add(new PrometheusSample(name, labels, ParseValue(value)));
        }
        return samples;
    }

    /// <summary>Sum over the series named <paramref name="name"/> whose labels include every given pair.</summary>
    public static double Sum(this IEnumerable<PrometheusSample> samples, string name, params (string Label, string Value)[] labels) =>
        samples.Where(s => s.Name == name && labels.All(l => s.Labels.TryGetValue(l.Label, out var v) && v == l.Value)).Sum(s => s.Value);

    private static int ReadLabels(string line, int at, Dictionary<string, string> labels)
    {
        while (line[at] != '}')
        {
            var equals = line.IndexOf('=', at);
            var key = line[at..equals].Trim();
            at = equals + 2; // past ="
            var value = new StringBuilder();
            while (line[at] != '"')
            {
                if (line[at] == '\\')
                {
                    at++;
                    value.Append(line[at] == 'n' ? '\n' : line[at]);
                }
                else value.Append(line[at]);
                at++;
            }
            labels[key] = value.ToString();
            at++; // past the closing quote
            if (line[at] == ',') at++;
        }
        return at + 1;
    }

    private static double ParseValue(string value) => value switch
    {
        "+Inf" => double.PositiveInfinity,
        "-Inf" => double.NegativeInfinity,
        "NaN" => double.NaN,
        _ => double.Parse(value, NumberStyles.Float, CultureInfo.InvariantCulture),
    };
}
