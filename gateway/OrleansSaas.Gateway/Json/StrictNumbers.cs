using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace OrleansSaas.Gateway.Json;

/// <summary>
/// Request bodies carry numbers as JSON numbers only: no "1.5" strings (the web defaults accept those), and
/// no value a double cannot hold (1e400 would read as Infinity, which cannot even be written back as JSON).
/// </summary>
public static class StrictNumbers
{
    public static void Apply(JsonSerializerOptions options)
    {
        options.NumberHandling = JsonNumberHandling.Strict;
        options.Converters.Add(new FiniteDoubleConverter());
        options.Converters.Add(new FiniteSingleConverter());
    }

    /// <summary>Custom converters hide a number's type from the OpenAPI generator (it writes only the format); this puts it back.</summary>
    public static Task DescribeInSchema(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        var type = context.JsonTypeInfo.Type;
        if (type == typeof(double) || type == typeof(float)) schema.Type = JsonSchemaType.Number;
        else if (type == typeof(double?) || type == typeof(float?)) schema.Type = JsonSchemaType.Number | JsonSchemaType.Null;
        return Task.CompletedTask;
    }

    private sealed class FiniteDoubleConverter : JsonConverter<double>
    {
        public override double Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType != JsonTokenType.Number) throw new JsonException();
            // TryGetDouble refuses what overflows to ±Infinity.
            return reader.TryGetDouble(out var value) && double.IsFinite(value) ? value : throw new NumberOutOfRangeException();
        }

        public override void Write(Utf8JsonWriter writer, double value, JsonSerializerOptions options) => writer.WriteNumberValue(value);
    }

    private sealed class FiniteSingleConverter : JsonConverter<float>
    {
        public override float Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType != JsonTokenType.Number) throw new JsonException();
            return reader.TryGetSingle(out var value) && float.IsFinite(value) ? value : throw new NumberOutOfRangeException();
        }

        public override void Write(Utf8JsonWriter writer, float value, JsonSerializerOptions options) => writer.WriteNumberValue(value);
    }
}

/// <summary>A JSON number too large (or too small) for its field's type; the reader adds the field's path.</summary>
public sealed class NumberOutOfRangeException() : JsonException("The number is out of range for its field.");
