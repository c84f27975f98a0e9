using System.Text.Json.Nodes;

namespace KeyRotation.LocalKms;

/// <content>Tags on keys: TagResource, UntagResource, ListResourceTags, and the tag rules CreateKey and ReplicateKey share.</content>
public sealed partial class LocalKmsService
{
    private const int MaxTagsPerKey = 50;

    private JsonObject TagResource(KmsRequest request)
    {
        var key = Resolve(request.RequiredString("KeyId"), allowAlias: false);
        RequireCustomerManaged(key);
        RequireNotPendingDeletion(key);
        var tags = request.Tags("Tags");
        ValidateTags(tags);
        var resulting = key.Tags.Select(t => t.Key).Concat(tags.Select(t => t.Key)).Distinct(StringComparer.Ordinal).Count();
        if (resulting > MaxTagsPerKey)
        {
            throw new KmsErrorException("TagException", $"A KMS key can have at most {MaxTagsPerKey} tags.");
        }

        foreach (var tag in tags)
        {
            SetTag(key, tag.Key, tag.Value);
        }

        return [];
    }

    private JsonObject UntagResource(KmsRequest request)
    {
        var key = Resolve(request.RequiredString("KeyId"), allowAlias: false);
        RequireCustomerManaged(key);
        RequireNotPendingDeletion(key);
        var tagKeys = request.StringList("TagKeys");
        foreach (var tagKey in tagKeys)
        {
            ValidateTagKey(tagKey);
        }

        key.Tags.RemoveAll(t => tagKeys.Contains(t.Key, StringComparer.Ordinal));
        return [];
    }

    private JsonObject ListResourceTags(KmsRequest request)
    {
        var key = Resolve(request.RequiredString("KeyId"), allowAlias: false);
        var entries = key.Tags.Select(t => (JsonNode)new JsonObject { ["TagKey"] = t.Key, ["TagValue"] = t.Value }).ToList();
        return KmsPage.Of(request, entries, "Tags", maxLimit: 50, defaultLimit: 50);
    }

    private static void SetTag(KmsKey key, string tagKey, string tagValue)
    {
        var index = key.Tags.FindIndex(t => t.Key == tagKey);
        if (index >= 0)
        {
            key.Tags[index] = new(tagKey, tagValue);
        }
        else
        {
            key.Tags.Add(new(tagKey, tagValue));
        }
    }

    private static void ValidateTags(List<KeyValuePair<string, string>> tags)
    {
        foreach (var (tagKey, tagValue) in tags)
        {
            ValidateTagKey(tagKey);
            if (tagValue.Length > 256)
            {
                throw new KmsErrorException("TagException", $"Tag value for '{tagKey}' is longer than 256 characters.");
            }
        }
    }

    private static void ValidateTagKey(string tagKey)
    {
        if (tagKey.Length is < 1 or > 128)
        {
            throw new KmsErrorException("TagException", "Tag keys must be 1 to 128 characters long.");
        }

        if (tagKey.StartsWith("aws:", StringComparison.OrdinalIgnoreCase))
        {
            throw new KmsErrorException("TagException", $"Tag key '{tagKey}' uses the reserved prefix 'aws:'.");
        }
    }
}
