using System.Text.Json;

namespace KeyRotation.Core.KeyMaterial;

/// <summary>
/// One escrow object: the key it belongs to and its material wrapped with the escrow public key.
/// Field names are a contract with whoever restores from the bucket (this tool's reimport, or a person with openssl).
/// </summary>
internal sealed record EscrowRecord
{
    public required string KeyId { get; init; }

    public required string KeyArn { get; init; }

    public required string Alias { get; init; }

    public required string CreatedAt { get; init; }

    public required string WrappingAlgorithm { get; init; }

    public required string EscrowPublicKeySha256 { get; init; }

    /// <summary>The material wrapped with the escrow public key (never material in clear).</summary>
    public required byte[] EncryptedKeyMaterial { get; init; }

    /// <summary>The object's bytes: UTF-8 JSON with exactly the fields keyId, keyArn, alias, createdAt, wrappingAlgorithm, escrowPublicKeySha256, encryptedKeyMaterial.</summary>
    public byte[] ToJson()
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartObject();
            writer.WriteString("keyId", KeyId);
            writer.WriteString("keyArn", KeyArn);
            writer.WriteString("alias", Alias);
            writer.WriteString("createdAt", CreatedAt);
            writer.WriteString("wrappingAlgorithm", WrappingAlgorithm);
            writer.WriteString("escrowPublicKeySha256", EscrowPublicKeySha256);
            writer.WriteBase64String("encryptedKeyMaterial", EncryptedKeyMaterial);
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    /// <summary>Reads an escrow object; throws <see cref="FormatException"/> naming what is missing or malformed.</summary>
    public static EscrowRecord Parse(ReadOnlySpan<byte> json)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json.ToArray());
        }
        catch (JsonException ex)
        {
            throw new FormatException($"the escrow object is not JSON ({ex.Message})", ex);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new FormatException("the escrow object is not a JSON object");
            }

            string Text(string name) =>
                root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && !string.IsNullOrEmpty(value.GetString())
                    ? value.GetString()!
                    : throw new FormatException($"the escrow object has no string field '{name}'");

            byte[] wrapped;
            try
            {
                wrapped = Convert.FromBase64String(Text("encryptedKeyMaterial"));
            }
            catch (FormatException ex)
            {
                throw new FormatException("the escrow object's encryptedKeyMaterial is not base64", ex);
            }

            return new EscrowRecord
            {
                KeyId = Text("keyId"),
                KeyArn = Text("keyArn"),
                Alias = Text("alias"),
                CreatedAt = Text("createdAt"),
                WrappingAlgorithm = Text("wrappingAlgorithm"),
                EscrowPublicKeySha256 = Text("escrowPublicKeySha256"),
                EncryptedKeyMaterial = wrapped,
            };
        }
    }
}
