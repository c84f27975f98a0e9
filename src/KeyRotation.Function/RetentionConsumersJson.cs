using System.Text.Json.Serialization;
using KeyRotation.Core.Retention;

namespace KeyRotation.Function;

/// <summary>
/// What the consumer inventory showed about a retirement's key (RETIRE_CHECK_CONSUMERS), in the proof of the response:
/// how many resources reference it by key id or ARN and which, the resources it could not check and why, and how many
/// KMS-encrypted resources it saw.
/// </summary>
internal sealed record RetentionConsumersJson(
    [property: JsonPropertyName("count")] int Count,
    [property: JsonPropertyName("resources")] IReadOnlyList<RetentionConsumerJson> Resources,
    [property: JsonPropertyName("notChecked")] IReadOnlyList<RetentionConsumerJson> NotChecked,
    [property: JsonPropertyName("seen")] int Seen)
{
    public static RetentionConsumersJson From(RetirementConsumers consumers) => new(
        consumers.Uses.Count,
        [.. consumers.Uses.Select(u => new RetentionConsumerJson(u.Resource.Service, u.Resource.Kind, u.Resource.Id, u.Resource.KeyReference, u.Match.Describe(), null))],
        [.. consumers.NotChecked.Select(n => new RetentionConsumerJson(n.Resource.Service, n.Resource.Kind, n.Resource.Id, n.Resource.KeyReference, null, n.Reason))],
        consumers.Seen);
}

/// <summary>One resource of <see cref="RetentionConsumersJson"/>: what it stores and how that names the key, or why it was not checked.</summary>
internal sealed record RetentionConsumerJson(
    [property: JsonPropertyName("service")] string Service,
    [property: JsonPropertyName("kind")] string Kind,
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("reference")] string? Reference,
    [property: JsonPropertyName("via"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Via,
    [property: JsonPropertyName("reason"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Reason);
