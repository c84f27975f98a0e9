namespace KeyRotation.Core.Consumers;

/// <summary>
/// The IAM actions the operator's own identity needs per consumer type: to list it (<c>consumers</c>) and to move it
/// (<c>migrate</c>, which also lists). One place: docs/migration.md shows them (a test checks it), and a test checks that
/// the rotation and retention roles are granted none of the services' actions.
/// </summary>
public static class ConsumerPermissions
{
    public static IReadOnlyList<ConsumerActions> All { get; } =
    [
        new(
            "DynamoDB tables",
            ["dynamodb:ListTables", "dynamodb:DescribeTable"],
            // DynamoDB creates its grant on the new key with the caller's identity, and re-wraps the table key under it.
            ["dynamodb:UpdateTable", "kms:DescribeKey", "kms:CreateGrant", "kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey*", "kms:ReEncrypt*"]),
    ];
}

/// <summary>One consumer type's actions: <paramref name="Inventory"/> to list it, <paramref name="Migration"/> in addition to move it.</summary>
public sealed record ConsumerActions(string Consumer, IReadOnlyList<string> Inventory, IReadOnlyList<string> Migration);
