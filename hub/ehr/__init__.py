"""The practice system's feed: HL7 v2 SIU over MLLP in, arrivals sent back (docs/ehr.md).

Pure parts (``hl7v2``: text to a parsed message; ``siu``: a message to what it means;
``acks``: ACKs and arrival messages) beside the shells (``records``: the SQL;
``listener``/``sender``: MLLP on one worker; ``service``: the assembly; ``cli``).
Nothing is imported here: ``hub.migrations`` imports ``hub.ehr.schema`` alone.
"""
