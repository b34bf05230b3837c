using System.Text;
using RnnGraph.Runtime.IO;

namespace RnnGraph.Runtime.Tests.IO;

/// <summary>The writer's bytes, checked against an image assembled by hand from the format definition.</summary>
public sealed class SafeTensorsLayoutTests
{
    [Fact]
    public void Small_file_matches_the_hand_built_image_byte_for_byte()
    {
        var tensors = new Dictionary<string, TensorValue>
        {
            // Given out of order: the writer sorts by name, so "a" comes first in header and data.
            ["b"] = TensorValue.FromFloat([1f, -2f], 2),
            ["a"] = new TensorValue(DType.I16, [3], new short[] { 1, 2, 3 }),
        };
        var metadata = new Dictionary<string, string> { ["k"] = "v" };

        // JSON: __metadata__ first, then tensors by name; compact; "a" is 3*2 = 6 bytes at [0,6),
        // "b" is 2*4 = 8 bytes at [6,14). That is 133 characters, padded with 3 spaces to 136.
        const string json =
            "{\"__metadata__\":{\"k\":\"v\"}," +
            "\"a\":{\"dtype\":\"I16\",\"shape\":[3],\"data_offsets\":[0,6]}," +
            "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[6,14]}}";
        Assert.Equal(133, json.Length);
        var expected = new List<byte> { 136, 0, 0, 0, 0, 0, 0, 0 };   // u64 little-endian header length
        expected.AddRange(Encoding.UTF8.GetBytes(json + "   "));
        expected.AddRange(new byte[] { 1, 0, 2, 0, 3, 0 });            // I16 1, 2, 3 little-endian
        expected.AddRange(new byte[] { 0, 0, 0x80, 0x3F });           // F32 1.0  = 0x3F800000
        expected.AddRange(new byte[] { 0, 0, 0, 0xC0 });              // F32 -2.0 = 0xC0000000

        Assert.Equal(expected.ToArray(), SafeTensors.WriteBytes(tensors, metadata));
    }

    [Fact]
    public void Empty_set_is_an_empty_object_padded_to_eight_bytes()
    {
        byte[] expected = [8, 0, 0, 0, 0, 0, 0, 0, (byte)'{', (byte)'}', 32, 32, 32, 32, 32, 32];
        Assert.Equal(expected, SafeTensors.WriteBytes(new Dictionary<string, TensorValue>()));
        Assert.Empty(SafeTensors.ReadBytes(expected));
    }
}
