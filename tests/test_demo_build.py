"""The demo the suite copies into its database (tests/template_db.py, `demo_in_database`) is what
`track2.site.demo.build()` makes in a test process, on either database. Its own module: a module
that uses `built_demo` holds the copy for all its tests, and a second demo would clash with it."""

from tests import template_db


def test_the_demo_built_in_this_process_has_the_rows_of_the_copy(db):
    """What the suite copies is what `demo.build()` makes here, on this pass's database: as many
    rows of every model (its passwords and keys are its own)."""
    from track2.site import demo

    models = template_db.saved_models()
    demo.build()
    with template_db.demo_site_database() as site:
        for model in models:
            built, copied = model._base_manager.count(), model._base_manager.using(site).count()
            assert built == copied, (model._meta.db_table, built, copied)
