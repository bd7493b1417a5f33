from kafka.partitioner.default import murmur2 as kafka_python_murmur2

from streams.record_batches import RecordBatchSender


def test_partition_for_matches_kafka_pythons_default_partitioner_hash():
    """kafka-python (used by our producers) and the stream worker must route keys alike."""
    for key in (b"p00001", b"p00042", "sku-中".encode()):
        expected = (kafka_python_murmur2(key) & 0x7FFFFFFF) % 3
        assert RecordBatchSender.partition_for(key, 3) == expected
