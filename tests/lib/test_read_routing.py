"""Where a read goes inside a replica scope: the replica until the scope writes or opens a
transaction on the primary; the primary inside ``primary_reads`` and outside any scope."""

from django.db import transaction

from lib.read_routing import note_write, primary_reads, read_alias, replica_reads


def test_without_a_scope_reads_go_to_the_primary():
    assert read_alias() == "default"


def test_a_scope_reads_its_replica_until_it_writes(transactional_db):
    with replica_reads("replica2"):
        before = read_alias()
        note_write()
        after = read_alias()

    assert (before, after) == ("replica2", "default")


def test_reads_inside_a_transaction_on_the_primary_go_to_the_primary(transactional_db):
    with replica_reads("replica1"), transaction.atomic():
        assert read_alias() == "default"


def test_primary_reads_override_the_scope_and_end_with_it(transactional_db):
    with replica_reads("replica1"):
        with primary_reads():
            inside = read_alias()
        outside = read_alias()

    assert (inside, outside) == ("default", "replica1")


def test_a_write_in_one_scope_leaves_the_next_scope_on_its_replica(transactional_db):
    with replica_reads("replica1"):
        note_write()
    with replica_reads("replica1"):
        assert read_alias() == "replica1"
