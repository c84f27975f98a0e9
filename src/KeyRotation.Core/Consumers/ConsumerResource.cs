namespace KeyRotation.Core.Consumers;

/// <summary>
/// One AWS resource that stores a KMS key reference: <paramref name="Service"/> is "s3", "dynamodb", "ssm" or "ec2";
/// <paramref name="Kind"/> "bucket", "object", "table", "parameter", "volume" or "snapshot"; <paramref name="Id"/> its
/// ARN where it has one (an object: s3://bucket/key, with <paramref name="VersionId"/> when versioned);
/// <paramref name="KeyReference"/> exactly what the resource stores (key id, key ARN, alias name or alias ARN), null when
/// it could not be read.
/// </summary>
public sealed record ConsumerResource(string Service, string Kind, string Id, string? KeyReference, string? VersionId = null);
