"""CityOps simulated city data centre for Lianyungang (the city's side of the adapters).

Build it, then keep it running::

    from simulator import DataCentre, SimulatorConfig
    centre = DataCentre(SimulatorConfig(database_url="sqlite:///var/datacentre.db"))
    centre.build()
    centre.run(stop_event)

The product reads it only through adapters (SQL, files, Open311, CAP, SensorThings); this
package never imports ``dashboard`` or ``data_adapters``.
"""

from .config import SimulatorConfig
from .datacentre import DataCentre
from .reports import BuildReport, TickReport

__all__ = ["BuildReport", "DataCentre", "SimulatorConfig", "TickReport"]
