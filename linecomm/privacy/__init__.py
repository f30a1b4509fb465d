"""APPI requests (export a member's data, erase it) served by one privacy hook per feature.

`registry` defines the hook a feature offers; `features` names every feature's hook; `requests` is what the
admin console calls. Features import only `registry`, so none of them depends on another.
"""
